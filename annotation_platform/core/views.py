"""The start page sends each user where their work is."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from annotation_platform.projects.selectors import projects_administered_by


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if projects_administered_by(request.user).exists():
        return redirect("studies:study-list")
    return redirect("worklists:worklist")
