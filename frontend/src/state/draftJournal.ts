/**
 * The local journal of unsaved strokes, in IndexedDB, one record per case and user. It keeps the
 * voxels that differ from the base version (encoded per k-slice by journalEncoding), so closing
 * or crashing the tab loses at most the edits since the last journal write, a second or two.
 */

import type { PaintOverride } from '../tools/paintPermission';
import { log } from '../viewer/log';

const DATABASE = 'annotation-viewer';
const STORE = 'drafts';

/** One case's unsaved edits by one user. */
export interface DraftRecord {
  key: string;
  caseId: number;
  userId: number;
  /** The version the edits started from; null for a case with no saved version. */
  baseVersionId: number | null;
  /** ISO time of the last write. */
  savedAt: string;
  voxelCount: number;
  overrides: PaintOverride[];
  /** Encoded changes from the base version, by k-slice. */
  slices: Record<number, Uint8Array>;
}

export class DraftJournal {
  readonly key: string;

  private constructor(
    private readonly database: IDBDatabase,
    caseId: number,
    userId: number,
  ) {
    this.key = `${caseId}:${userId}`;
  }

  /** Open the journal of a case and user; null when the browser has no IndexedDB. */
  static async open(caseId: number, userId: number): Promise<DraftJournal | null> {
    if (typeof indexedDB === 'undefined') {
      return null;
    }
    try {
      const database = await openDatabase();
      return new DraftJournal(database, caseId, userId);
    } catch (error) {
      log.warn('the local journal is unavailable; unsaved strokes live only in memory', error);
      return null;
    }
  }

  read(): Promise<DraftRecord | null> {
    return this.request('readonly', (store) => store.get(this.key)).then((value) => (value as DraftRecord | undefined) ?? null);
  }

  write(record: DraftRecord): Promise<void> {
    return this.request('readwrite', (store) => store.put(record)).then(() => undefined);
  }

  remove(): Promise<void> {
    return this.request('readwrite', (store) => store.delete(this.key)).then(() => undefined);
  }

  private request(mode: IDBTransactionMode, operation: (store: IDBObjectStore) => IDBRequest): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const transaction = this.database.transaction(STORE, mode);
      const request = operation(transaction.objectStore(STORE));
      transaction.oncomplete = () => resolve(request.result);
      transaction.onerror = () => reject(transaction.error);
      transaction.onabort = () => reject(transaction.error);
    });
  }
}

function openDatabase(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(STORE, { keyPath: 'key' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}
