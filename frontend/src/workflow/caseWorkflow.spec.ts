import { afterEach, describe, expect, it, vi } from 'vitest';
import { Store, type ViewerState } from '../state/store';
import type { ViewerConfig } from '../viewer/config';
import { CaseWorkflow } from './caseWorkflow';
import type { SeriesQuality } from './workflowConfig';

const QUALITY_URL = '/api/v1/cases/1/series/{series_id}/quality/';

function ungraded(): SeriesQuality[] {
  return [
    { series: 1, sequence: 'FLAIR', grade: null, reasons: [] },
    { series: 2, sequence: 'T1', grade: null, reasons: [] },
  ];
}

function workflowWithStore(): { workflow: CaseWorkflow; store: Store } {
  const config = { csrf_token: 'token', workflow: { api: { quality: QUALITY_URL } } } as unknown as ViewerConfig;
  const store = new Store({ quality: ungraded() } as unknown as ViewerState);
  return { workflow: new CaseWorkflow(config, store), store };
}

/** Stub fetch so that the test releases its responses one by one, in any order. */
function heldFetch(): { calls: string[]; release: (index: number, body: SeriesQuality[]) => void } {
  const calls: string[] = [];
  const pending: Array<(response: Response) => void> = [];
  vi.stubGlobal(
    'fetch',
    vi.fn((url: string) => {
      calls.push(url);
      return new Promise<Response>((resolve) => pending.push(resolve));
    }),
  );
  return {
    calls,
    release: (index, body) => pending[index](new Response(JSON.stringify(body), { status: 200 })),
  };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('CaseWorkflow.grade', () => {
  it('sends the next grade only after the previous response', async () => {
    const server = heldFetch();
    const { workflow } = workflowWithStore();

    const first = workflow.grade(1, 3, []);
    const second = workflow.grade(2, 3, []);
    await vi.waitFor(() => expect(server.calls).toHaveLength(1));
    expect(server.calls[0]).toBe('/api/v1/cases/1/series/1/quality/');

    server.release(0, [{ ...ungraded()[0], grade: 3 }, ungraded()[1]]);
    await first;
    await vi.waitFor(() => expect(server.calls).toHaveLength(2));
    expect(server.calls[1]).toBe('/api/v1/cases/1/series/2/quality/');

    server.release(1, [{ ...ungraded()[0], grade: 3 }, { ...ungraded()[1], grade: 3 }]);
    expect(await second).toEqual({ ok: true });
  });

  it('keeps every grade of quick successive choices', async () => {
    const server = heldFetch();
    const { workflow, store } = workflowWithStore();

    const grades = [workflow.grade(1, 3, []), workflow.grade(2, 2, [])];
    await vi.waitFor(() => expect(server.calls).toHaveLength(1));
    server.release(0, [{ ...ungraded()[0], grade: 3 }, ungraded()[1]]);
    await vi.waitFor(() => expect(server.calls).toHaveLength(2));
    server.release(1, [{ ...ungraded()[0], grade: 3 }, { ...ungraded()[1], grade: 2 }]);
    await Promise.all(grades);

    expect(store.state.quality.map((series) => series.grade)).toEqual([3, 2]);
  });

  it('goes on after a failed request', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn()
        .mockRejectedValueOnce(new TypeError('Failed to fetch'))
        .mockResolvedValueOnce(new Response(JSON.stringify([{ ...ungraded()[0], grade: 2 }, ungraded()[1]]), { status: 200 })),
    );
    const { workflow, store } = workflowWithStore();

    const failed = await workflow.grade(1, 3, []);
    const retried = await workflow.grade(1, 2, []);

    expect(failed).toMatchObject({ ok: false, code: 'NETWORK_ERROR' });
    expect(retried).toEqual({ ok: true });
    expect(store.state.quality[0].grade).toBe(2);
  });
});
