/**
 * The viewer's heartbeat: while the tab is visible and the case is open, it reports every 30 s
 * how many seconds the case was on screen since the last report. The server adds them to the
 * case's annotation or review time, which the project dashboard shows per case.
 */

import { log } from '../viewer/log';

/** Seconds between two heartbeats while the tab is visible. */
export const HEARTBEAT_INTERVAL_S = 30;

/**
 * Counts the milliseconds during which the page was visible, from visibility changes and a
 * clock. `take` returns the whole seconds counted and keeps the remainder for the next report.
 */
export class VisibleTimeCounter {
  private countedMs = 0;
  private visibleSince: number | null;

  constructor(
    visible: boolean,
    private readonly now: () => number,
  ) {
    this.visibleSince = visible ? now() : null;
  }

  /** Record that the page became visible or hidden. */
  setVisible(visible: boolean): void {
    if (visible && this.visibleSince === null) {
      this.visibleSince = this.now();
    } else if (!visible && this.visibleSince !== null) {
      this.countedMs += this.now() - this.visibleSince;
      this.visibleSince = null;
    }
  }

  /** Return the whole seconds of visible time not reported yet, and mark them reported. */
  take(): number {
    if (this.visibleSince !== null) {
      const now = this.now();
      this.countedMs += now - this.visibleSince;
      this.visibleSince = now;
    }
    const seconds = Math.floor(this.countedMs / 1000);
    this.countedMs -= seconds * 1000;
    return seconds;
  }
}

/**
 * Start the heartbeat of the open case: POST {seconds} to `url` every 30 s while the tab is
 * visible, and once more when it is hidden, so time before switching away is not lost. Returns
 * a function that stops it. Failed reports are logged; their seconds are not retried.
 */
export function startHeartbeat(url: string, csrfToken: string): () => void {
  const counter = new VisibleTimeCounter(document.visibilityState === 'visible', () => performance.now());
  const report = (keepalive: boolean): void => {
    const seconds = counter.take();
    if (seconds <= 0) {
      return;
    }
    fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      keepalive,
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken, Accept: 'application/json' },
      body: JSON.stringify({ seconds }),
    })
      .then((response) => {
        if (!response.ok) {
          log.warn(`heartbeat returned HTTP ${response.status}`);
        }
      })
      .catch((error: unknown) => log.warn('heartbeat failed', error));
  };
  const timer = window.setInterval(() => {
    if (document.visibilityState === 'visible') {
      report(false);
    }
  }, HEARTBEAT_INTERVAL_S * 1000);
  const onVisibility = (): void => {
    const visible = document.visibilityState === 'visible';
    counter.setVisible(visible);
    if (!visible) {
      report(true);
    }
  };
  document.addEventListener('visibilitychange', onVisibility);
  return () => {
    window.clearInterval(timer);
    document.removeEventListener('visibilitychange', onVisibility);
  };
}
