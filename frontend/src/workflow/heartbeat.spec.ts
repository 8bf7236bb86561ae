import { describe, expect, it } from 'vitest';
import { VisibleTimeCounter } from './heartbeat';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1_000;
  return { now: () => time, advance: (ms) => (time += ms) };
}

describe('VisibleTimeCounter', () => {
  it('counts the seconds the page was visible', () => {
    const time = clock();
    const counter = new VisibleTimeCounter(true, time.now);
    time.advance(30_000);
    expect(counter.take()).toBe(30);
  });

  it('leaves out the time the page was hidden', () => {
    const time = clock();
    const counter = new VisibleTimeCounter(true, time.now);
    time.advance(10_000);
    counter.setVisible(false);
    time.advance(600_000);
    counter.setVisible(true);
    time.advance(5_000);
    expect(counter.take()).toBe(15);
  });

  it('counts nothing for a page opened hidden', () => {
    const time = clock();
    const counter = new VisibleTimeCounter(false, time.now);
    time.advance(60_000);
    expect(counter.take()).toBe(0);
  });

  it('keeps fractions of a second for the next report', () => {
    const time = clock();
    const counter = new VisibleTimeCounter(true, time.now);
    time.advance(2_600);
    expect(counter.take()).toBe(2);
    time.advance(600);
    expect(counter.take()).toBe(1);
  });

  it('reports each second once', () => {
    const time = clock();
    const counter = new VisibleTimeCounter(true, time.now);
    time.advance(30_000);
    counter.take();
    expect(counter.take()).toBe(0);
  });

  it('ignores repeated visibility events', () => {
    const time = clock();
    const counter = new VisibleTimeCounter(true, time.now);
    time.advance(4_000);
    counter.setVisible(true);
    time.advance(4_000);
    counter.setVisible(false);
    counter.setVisible(false);
    expect(counter.take()).toBe(8);
  });
});
