/**
 * The upload page: drag and drop of files and folders, an upload progress bar, and the server's
 * verdict. The server checks every file before it stores anything, so a rejected upload lists
 * each problem and nothing is imported.
 */
import { csrfToken, type ApiError } from '../api/http';
import { t } from '../i18n';

interface PickedFile {
  file: File;
  path: string;
}

interface Problem {
  name?: string;
  message?: string;
}

const form = document.querySelector<HTMLFormElement>('#upload-form');
if (form) {
  setUpUpload(form);
}

function setUpUpload(uploadForm: HTMLFormElement): void {
  const dropZone = uploadForm.querySelector<HTMLElement>('[data-drop-zone]')!;
  const fileInput = uploadForm.querySelector<HTMLInputElement>('input[name="files"]')!;
  const folderInput = uploadForm.querySelector<HTMLInputElement>('input[name="folder"]')!;
  const summary = uploadForm.querySelector<HTMLElement>('[data-selection]')!;
  let picked: PickedFile[] = [];

  const show = (files: PickedFile[]): void => {
    picked = files;
    const bytes = files.reduce((total, item) => total + item.file.size, 0);
    summary.textContent = t('upload.selected', { count: files.length, size: formatBytes(bytes) });
  };

  dropZone.addEventListener('click', () => fileInput.click());
  dropZone.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      fileInput.click();
    }
  });
  fileInput.addEventListener('change', () => show(fromInput(fileInput)));
  folderInput.addEventListener('change', () => show(fromInput(folderInput)));
  dropZone.addEventListener('dragover', (event) => {
    event.preventDefault();
    dropZone.classList.add('dragging');
  });
  dropZone.addEventListener('dragleave', () => dropZone.classList.remove('dragging'));
  dropZone.addEventListener('drop', (event) => {
    event.preventDefault();
    dropZone.classList.remove('dragging');
    if (event.dataTransfer) {
      void fromDrop(event.dataTransfer).then(show);
    }
  });
  uploadForm.addEventListener('submit', (event) => {
    event.preventDefault();
    send(uploadForm, picked);
  });
}

function fromInput(input: HTMLInputElement): PickedFile[] {
  return Array.from(input.files ?? []).map((file) => ({
    file,
    path: file.webkitRelativePath || file.name,
  }));
}

async function fromDrop(transfer: DataTransfer): Promise<PickedFile[]> {
  const entries = Array.from(transfer.items)
    .map((item) => item.webkitGetAsEntry())
    .filter((entry): entry is FileSystemEntry => entry !== null);
  if (entries.length === 0) {
    return Array.from(transfer.files).map((file) => ({ file, path: file.name }));
  }
  const nested = await Promise.all(entries.map((entry) => walk(entry, '')));
  return nested.flat();
}

async function walk(entry: FileSystemEntry, prefix: string): Promise<PickedFile[]> {
  const path = prefix + entry.name;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) =>
      (entry as FileSystemFileEntry).file(resolve, reject),
    );
    return [{ file, path }];
  }
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const children: FileSystemEntry[] = [];
  // readEntries returns at most 100 entries per call in Chromium; read until it returns none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (batch.length === 0) break;
    children.push(...batch);
  }
  const nested = await Promise.all(children.map((child) => walk(child, `${path}/`)));
  return nested.flat();
}

function send(uploadForm: HTMLFormElement, picked: PickedFile[]): void {
  const status = uploadForm.querySelector<HTMLElement>('[data-status]')!;
  const bar = uploadForm.querySelector<HTMLProgressElement>('progress')!;
  const problems = uploadForm.querySelector<HTMLElement>('[data-problems]')!;
  const project = uploadForm.querySelector<HTMLSelectElement>('select[name="project"]')!.value;
  problems.replaceChildren();
  if (!project) {
    status.textContent = t('upload.noProject');
    return;
  }
  if (picked.length === 0) {
    status.textContent = t('upload.noFiles');
    return;
  }

  const body = new FormData();
  for (const item of picked) {
    body.append('files', item.file, item.file.name);
    body.append('paths', item.path);
  }
  const subject = uploadForm.querySelector<HTMLInputElement>('input[name="subject"]');
  if (subject?.value) body.append('subject', subject.value);

  const request = new XMLHttpRequest();
  request.open('POST', `/api/v1/projects/${project}/uploads/`);
  request.setRequestHeader('X-CSRFToken', csrfToken());
  request.setRequestHeader('Accept', 'application/json');
  request.upload.addEventListener('progress', (event) => {
    if (!event.lengthComputable) return;
    const percent = Math.round((100 * event.loaded) / event.total);
    bar.value = percent;
    status.textContent = percent < 100 ? t('upload.sending', { percent }) : t('upload.checking');
  });
  request.addEventListener('load', () => finish(request, uploadForm, picked.length));
  request.addEventListener('error', () => {
    status.textContent = t('upload.networkError');
  });
  bar.hidden = false;
  bar.value = 0;
  request.send(body);
}

function finish(request: XMLHttpRequest, uploadForm: HTMLFormElement, count: number): void {
  const status = uploadForm.querySelector<HTMLElement>('[data-status]')!;
  const problems = uploadForm.querySelector<HTMLElement>('[data-problems]')!;
  let body: ApiError & { id?: number; url?: string } = {};
  try {
    body = JSON.parse(request.responseText) as typeof body;
  } catch {
    body = { detail: `HTTP ${request.status}` };
  }
  if (request.status === 201 || request.status === 200) {
    status.textContent = t('upload.accepted', { count });
    if (body.url) {
      const link = document.createElement('a');
      link.href = body.url;
      link.textContent = t('upload.openUpload');
      status.append(' ', link);
    }
    return;
  }
  status.textContent = t('upload.failed', { message: body.detail ?? `HTTP ${request.status}` });
  const listed = (body.params?.problems as Problem[] | undefined) ?? [];
  for (const problem of listed) {
    const item = document.createElement('li');
    item.textContent = `${problem.name ?? ''}: ${problem.message ?? ''}`;
    problems.append(item);
  }
  const total = Number(body.params?.problem_count ?? listed.length);
  if (total > listed.length) {
    const more = document.createElement('li');
    more.textContent = t('upload.problemCount', { count: total });
    problems.append(more);
  }
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
