/**
 * Live job progress on the study and upload pages. Every element with `data-job-group` lists
 * the jobs of one study or upload; this script polls the jobs API while any job is queued or
 * running, updates each bar and stage text, and reloads the page once they have all finished so
 * the new state (thumbnails, sequences, errors) shows.
 */
import { getJson } from '../api/http';
import { t } from '../i18n';

interface JobView {
  id: number;
  state: 'queued' | 'running' | 'succeeded' | 'failed';
  state_display: string;
  progress: number;
  stage_display: string;
  error_display: string;
}

const POLL_INTERVAL_MS = 1500;

for (const container of document.querySelectorAll<HTMLElement>('[data-job-group]')) {
  void poll(container, container.dataset.jobGroup ?? '');
}

async function poll(container: HTMLElement, group: string): Promise<void> {
  let sawActive = container.querySelector('[data-job-active="true"]') !== null;
  for (;;) {
    try {
      const jobs = await getJson<JobView[]>(`/api/v1/jobs/?group=${encodeURIComponent(group)}`);
      jobs.forEach((job) => render(container, job));
      const active = jobs.some((job) => job.state === 'queued' || job.state === 'running');
      if (active) {
        sawActive = true;
      } else if (sawActive) {
        window.location.reload();
        return;
      } else {
        return;
      }
    } catch {
      container.dataset.pollError = t('jobs.refreshFailed');
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

function render(container: HTMLElement, job: JobView): void {
  const row = container.querySelector<HTMLElement>(`[data-job-id="${job.id}"]`);
  if (!row) {
    return;
  }
  row.dataset.jobState = job.state;
  const bar = row.querySelector<HTMLProgressElement>('progress');
  if (bar) bar.value = Math.round(job.progress * 100);
  const state = row.querySelector<HTMLElement>('[data-job-state-text]');
  if (state) state.textContent = job.state_display;
  const stage = row.querySelector<HTMLElement>('[data-job-stage]');
  if (stage) stage.textContent = job.error_display || job.stage_display;
}
