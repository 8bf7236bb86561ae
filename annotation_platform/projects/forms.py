from django import forms
from django.utils.translation import gettext_lazy as _

from annotation_platform.projects.models import Project
from annotation_platform.protocols.models import ProtocolVersion


class ProjectForm(forms.ModelForm):
    irb_document = forms.FileField(label=_("Approval document (PDF, PNG or JPEG)"), required=False)

    class Meta:
        model = Project
        fields = [
            "name",
            "description",
            "protocol_version",
            "pseudonym_prefix",
            "retain_patient_characteristics",
            "irb_number",
            "irb_body",
            "irb_valid_until",
        ]
        widgets = {
            "irb_valid_until": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["protocol_version"].queryset = ProtocolVersion.objects.select_related(
            "protocol"
        )
        self.fields["protocol_version"].label_from_instance = lambda version: (
            f"{version.display_name} ({version.version})"
        )
        if self.instance.pk:
            # The protocol and pseudonyms of a project with data cannot change under it.
            self.fields["protocol_version"].disabled = True
            self.fields["pseudonym_prefix"].disabled = True
