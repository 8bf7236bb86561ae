/**
 * The case's workflow actions in the viewer: submission with the protocol checklist, exclusion
 * out of scope, recall, the start of a review and its decision with pinned comments, and image
 * quality grades. Each action calls the server and, when it succeeds, changes the store (mode,
 * case state, read-only); a refusal returns the server's translated message for the UI to show.
 */

import type { Store } from '../state/store';
import type { ViewerConfig } from '../viewer/config';
import type { Vec3 } from '../viewer/geometry';
import { commentPayloads } from './commentPlacement';
import { sendJson, type ApiOutcome } from './workflowApi';
import type { CaseComment, CaseState, CommentAxis, SeriesQuality } from './workflowConfig';

/** The result of an action: done, or refused with the server's message. */
export type ActionResult = { ok: true } | { ok: false; code: string; detail: string; status: number };

/** The fields of the server's case representation that the viewer reads. */
interface CaseBody {
  state: CaseState;
}

interface DecisionBody {
  decision: 'approved' | 'rejected';
  comments: CaseComment[];
}

export class CaseWorkflow {
  private nextDraftId = -1;
  private gradeRequests: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly config: ViewerConfig,
    private readonly store: Store,
  ) {}

  /** Submit the latest saved version with the checklist answers; the case becomes read-only. */
  async submit(checklist: Record<string, boolean>): Promise<ActionResult> {
    const version = this.store.state.baseVersion;
    if (!version) {
      return { ok: false, code: 'NO_VERSION', detail: '', status: 0 };
    }
    const outcome = await this.post<CaseBody>(this.config.workflow.api.submit, { version: version.id, checklist });
    if (outcome.ok) {
      this.leaveEditing(outcome.body.state, true);
    }
    return result(outcome);
  }

  /** Exclude the case as out of the protocol's scope, with the exclusion's key and a note. */
  async exclude(reason: string, note: string): Promise<ActionResult> {
    const outcome = await this.post<CaseBody>(this.config.workflow.api.exclude, { reason, note });
    if (outcome.ok) {
      this.leaveEditing(outcome.body.state, false);
    }
    return result(outcome);
  }

  /** Take the submission back before a reviewer starts; the case is editable again. */
  async recall(): Promise<ActionResult> {
    const outcome = await this.post<CaseBody>(this.config.workflow.api.recall, {});
    if (outcome.ok) {
      this.store.update({
        workflowMode: 'annotate',
        readOnly: false,
        saveStatus: 'saved',
        caseState: outcome.body.state,
        submittable: true,
        canRecall: false,
      });
    }
    return result(outcome);
  }

  /** Record that the reviewer opened the submitted case (submitted becomes in review). */
  async startReview(): Promise<ActionResult> {
    if (this.store.state.caseState !== 'submitted') {
      return { ok: true };
    }
    const outcome = await this.post<CaseBody>(this.config.workflow.api.review_start, {});
    if (outcome.ok) {
      this.store.update({ caseState: outcome.body.state });
    }
    return result(outcome);
  }

  /** Approve or reject the submitted version with a summary and the comments placed so far. */
  async decide(decision: 'approved' | 'rejected', summary: string): Promise<ActionResult> {
    const version = this.config.workflow.submitted_version;
    if (!version) {
      return { ok: false, code: 'NO_VERSION', detail: '', status: 0 };
    }
    const outcome = await this.post<DecisionBody>(this.config.workflow.api.decision, {
      decision,
      version: version.id,
      summary: summary.trim(),
      comments: commentPayloads(this.store.state.draftComments),
    });
    if (outcome.ok) {
      this.store.update({
        workflowMode: 'read_only',
        caseState: decision,
        comments: [...this.store.state.comments, ...(outcome.body.comments ?? [])],
        draftComments: [],
        selectedComment: null,
        tool: 'cursor',
      });
    }
    return result(outcome);
  }

  /**
   * Grade one series' image quality (with reasons for a low grade). Grades go to the server one
   * at a time, in the order given: each response lists every series of the case, so a response
   * to an earlier request that arrived last would show older grades than the server stores.
   */
  grade(seriesId: number, grade: number, reasons: string[]): Promise<ActionResult> {
    const request = this.gradeRequests.then(() => this.sendGrade(seriesId, grade, reasons));
    // A failed request must not hold back the grades after it.
    this.gradeRequests = request.catch(() => undefined);
    return request;
  }

  private async sendGrade(seriesId: number, grade: number, reasons: string[]): Promise<ActionResult> {
    const url = this.config.workflow.api.quality.replace('{series_id}', String(seriesId));
    const outcome = await sendJson<SeriesQuality[]>(url, 'PUT', { grade, reasons }, this.config.csrf_token);
    if (outcome.ok) {
      this.store.update({ quality: outcome.body });
    }
    return result(outcome);
  }

  /** Place a comment of the review in progress; returns its local id. */
  addDraftComment(region: string, axis: CommentAxis, point: Vec3, text: string): number {
    const id = this.nextDraftId--;
    const draft = { id, region, axis, point_ijk: point, text: text.trim() };
    this.store.update({ draftComments: [...this.store.state.draftComments, draft], selectedComment: id });
    return id;
  }

  removeDraftComment(id: number): void {
    const drafts = this.store.state.draftComments.filter((draft) => draft.id !== id);
    this.store.update({ draftComments: drafts, selectedComment: this.store.state.selectedComment === id ? null : this.store.state.selectedComment });
  }

  private post<T>(url: string, body: unknown): Promise<ApiOutcome<T>> {
    return sendJson<T>(url, 'POST', body, this.config.csrf_token);
  }

  private leaveEditing(state: CaseState, canRecall: boolean): void {
    this.store.update({
      workflowMode: 'read_only',
      readOnly: true,
      saveStatus: 'readonly',
      caseState: state,
      submittable: false,
      canRecall,
      tool: 'cursor',
    });
  }
}

function result(outcome: ApiOutcome<unknown>): ActionResult {
  return outcome.ok ? { ok: true } : { ok: false, code: outcome.code, detail: outcome.detail, status: outcome.status };
}
