/**
 * The annotation page: reads the case configuration the template embeds, starts downloading and
 * decoding the four sequences and the latest mask at once, and meanwhile loads the viewer's
 * script (Cornerstone is most of it) as a separate chunk. A failure to open (a missing volume, a
 * grid mismatch) replaces the viewer with its message.
 */

import '../ui/viewer.css';
import { t } from '../i18n';
import { fetchMaskData } from '../segmentation/maskApi';
import { readViewerConfig, type ViewerConfig } from '../viewer/config';
import { fetchSequence } from '../viewer/fetchSequence';
import { log } from '../viewer/log';
import type { CaseDownloads } from '../viewer/openCase';
import { buildViewerShell } from '../ui/viewerShell';

function startDownloads(config: ViewerConfig): CaseDownloads {
  const latest = config.latest_version;
  const downloads: CaseDownloads = {
    sequences: config.sequences.map((sequence) => fetchSequence(sequence.url, config.grid)),
    mask: latest ? fetchMaskData(config, latest.id, latest.checksum) : Promise.resolve(null),
  };
  // Failures are reported where openCase awaits them; this keeps the browser from reporting
  // them a second time as unhandled while the viewer's script still loads.
  downloads.sequences.forEach((download) => download.catch(() => undefined));
  downloads.mask.catch(() => undefined);
  return downloads;
}

async function start(): Promise<void> {
  const mount = document.getElementById('viewer-root');
  if (!mount) {
    return;
  }
  try {
    const config = readViewerConfig(document);
    document.documentElement.lang = config.language;
    const downloads = startDownloads(config);
    const shell = buildViewerShell(mount);
    const { openCase } = await import('../viewer/openCase');
    await openCase(config, shell, downloads);
  } catch (error) {
    log.error('the viewer could not open the case', error);
    const message = document.createElement('p');
    message.className = 'viewer-error';
    message.setAttribute('role', 'alert');
    message.textContent = t('viewer.openFailed', { error: error instanceof Error ? error.message : String(error) });
    mount.replaceChildren(message);
  }
}

void start();
