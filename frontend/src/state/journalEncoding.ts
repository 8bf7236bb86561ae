/**
 * Compact encoding of unsaved mask changes for the local journal.
 *
 * A change set lists the voxels of one range (one k-slice of the grid) whose value differs from
 * the base version, as runs. Each run is the gap from the end of the previous run and the run
 * length as unsigned LEB128 varints, followed by the run's new voxel values. Unchanged voxels cost
 * nothing, so a journal of a few strokes stays a few kilobytes even on a 512x512x200 grid.
 */

/** Encode where `current` differs from `base` in [start, end); offsets are relative to start. */
export function encodeChanges(base: Uint8Array, current: Uint8Array, start: number, end: number): Uint8Array {
  const out = new ByteWriter();
  let previousEnd = start;
  let index = start;
  while (index < end) {
    if (base[index] === current[index]) {
      index++;
      continue;
    }
    const runStart = index;
    while (index < end && base[index] !== current[index]) {
      index++;
    }
    out.varint(runStart - previousEnd);
    out.varint(index - runStart);
    out.bytes(current.subarray(runStart, index));
    previousEnd = index;
  }
  return out.finish();
}

/** Write the runs of an encoded change set into `target`, starting at voxel `start`. */
export function applyChanges(target: Uint8Array, encoded: Uint8Array, start: number): void {
  const reader = new ByteReader(encoded);
  let position = start;
  while (!reader.done()) {
    position += reader.varint();
    const length = reader.varint();
    const values = reader.bytes(length);
    if (position + length > target.length) {
      throw new Error(`journal run at voxel ${position} runs past the mask (${target.length} voxels)`);
    }
    target.set(values, position);
    position += length;
  }
}

class ByteWriter {
  private buffer = new Uint8Array(256);
  private length = 0;

  varint(value: number): void {
    let rest = value;
    while (rest >= 0x80) {
      this.push((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.push(rest);
  }

  bytes(values: Uint8Array): void {
    this.reserve(values.length);
    this.buffer.set(values, this.length);
    this.length += values.length;
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  private push(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) {
      return;
    }
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + extra));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }
}

class ByteReader {
  private position = 0;

  constructor(private readonly buffer: Uint8Array) {}

  done(): boolean {
    return this.position >= this.buffer.length;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (this.position >= this.buffer.length) {
        throw new Error('journal entry ends inside a number');
      }
      const byte = this.buffer[this.position++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        return value;
      }
      scale *= 0x80;
    }
  }

  bytes(length: number): Uint8Array {
    if (this.position + length > this.buffer.length) {
      throw new Error('journal entry ends inside a run');
    }
    const values = this.buffer.subarray(this.position, this.position + length);
    this.position += length;
    return values;
  }
}
