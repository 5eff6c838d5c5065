import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { beforeEach, describe, expect, it } from 'vitest';
import TranscriptView from '../../src-renderer/components/TranscriptView.svelte';
import { HarkClient } from '../../src-renderer/lib/hark-client';
import { AppState } from '../../src-renderer/state/AppState.svelte';
import { TranscriptState } from '../../src-renderer/state/TranscriptState.svelte';
import { fakeBridge, sampleRecord, stubMediaElements } from './fake-bridge';

function setup() {
  const fake = fakeBridge({ saveEdits: () => ({ entry: {} }) });
  const client = new HarkClient(fake.bridge);
  const app = new AppState(client);
  const transcript = new TranscriptState(client, sampleRecord(), '/media/rec1');
  app.open = transcript;
  render(TranscriptView, { props: { app, transcript } });
  return { fake, app, transcript };
}

let media: ReturnType<typeof stubMediaElements>;
beforeEach(() => {
  media = stubMediaElements();
});

describe('TranscriptView', () => {
  it('shows segments with timestamps and words shaded by confidence', () => {
    setup();
    expect(screen.getByRole('heading', { name: 'talk.wav' })).toBeTruthy();
    const world = screen.getByRole('button', { name: 'world' });
    expect(world.className).toMatch(/conf-medium/);
    expect(screen.getByRole('button', { name: 'is' }).className).toMatch(/conf-low/);
    expect(screen.getByRole('button', { name: 'this' }).className).toMatch(/conf-high/);
    expect(world.getAttribute('title')).toBe('0:00.5–0:00.9 · confidence 60%');
    expect(screen.getByRole('button', { name: 'Go to 0:02' })).toBeTruthy();
    // One tab stop for the whole text.
    const tabbable = screen
      .getAllByRole('button')
      .filter((b) => b.closest('.words') && b.tabIndex === 0);
    expect(tabbable).toHaveLength(1);
  });

  it('plays from a clicked word and highlights the word being heard', async () => {
    const { transcript } = setup();
    await fireEvent.click(screen.getByRole('button', { name: 'hark' }));
    const audio = document.querySelector('audio');
    expect(audio?.currentTime).toBe(2);
    expect(media.played).toHaveBeenCalled();
    expect(transcript.currentTimeSec).toBe(2);
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'hark' }).className).toMatch(/\bactive\b/),
    );
    transcript.currentTimeSec = 0.6;
    await waitFor(() =>
      expect(screen.getByRole('button', { name: 'world' }).className).toMatch(/\bactive\b/),
    );
    expect(screen.getByRole('button', { name: 'hark' }).className).not.toMatch(/\bactive\b/);
  });

  it('plays or pauses with Space on a focused word without jumping to it, and pauses for an edit', async () => {
    setup();
    const audio = document.querySelector('audio')!;
    audio.currentTime = 0.3;
    await fireEvent.keyDown(screen.getByRole('button', { name: 'hark' }), { key: ' ' });
    expect(audio.currentTime).toBe(0.3);
    expect(media.played).toHaveBeenCalledTimes(1);
    // A double click's first click plays from the word; the editor then stops playback.
    await fireEvent.dblClick(screen.getByRole('button', { name: 'world' }));
    expect(media.paused).toHaveBeenCalled();
    expect(screen.getByRole('textbox', { name: 'Correct “world”' })).toBeTruthy();
  });

  it('corrects a word: the model’s text is kept, the correction saved beside it', async () => {
    const { fake, transcript } = setup();
    await fireEvent.dblClick(screen.getByRole('button', { name: 'hark' }));
    const editor = screen.getByRole('textbox', { name: 'Correct “hark”' });
    expect(document.activeElement).toBe(editor);
    await fireEvent.input(editor, { target: { value: 'Hark' } });
    await fireEvent.keyDown(editor, { key: 'Enter' });
    const corrected = await screen.findByRole('button', { name: 'Hark' });
    expect(corrected.className).toMatch(/\bedited\b/);
    expect(corrected.getAttribute('title')).toMatch(/corrected from “hark”/);
    expect(
      fake.calls.filter((call) => call.name === 'saveEdits').map((call) => call.params),
    ).toEqual([{ id: 'rec1', edits: { '0:4': 'Hark' } }]);
    expect(transcript.record.transcript.segments[0]?.words[4]?.text).toBe('hark');
    expect(screen.getByText('1 corrected')).toBeTruthy();
  });

  it('cancels an edit with Escape and keeps the word', async () => {
    const { fake } = setup();
    await fireEvent.keyDown(screen.getByRole('button', { name: 'this' }), { key: 'F2' });
    const editor = screen.getByRole('textbox', { name: 'Correct “this”' });
    await fireEvent.input(editor, { target: { value: 'xxx' } });
    await fireEvent.keyDown(editor, { key: 'Escape' });
    expect(screen.queryByRole('textbox', { name: /Correct/ })).toBeNull();
    expect(screen.getByRole('button', { name: 'this' })).toBeTruthy();
    expect(fake.calls.some((call) => call.name === 'saveEdits')).toBe(false);
  });

  it('searches with next and previous, phrases included', async () => {
    setup();
    const search = screen.getByRole('searchbox', { name: 'Search the transcript' });
    const type = (value: string) => fireEvent.input(search, { target: { value } });
    await type('hello');
    expect(screen.getByText('1 of 2')).toBeTruthy();
    const hellos = screen.getAllByRole('button', { name: 'hello' });
    expect(hellos[0]?.className).toMatch(/current-match/);
    await fireEvent.click(screen.getByRole('button', { name: 'Next match' }));
    expect(screen.getByText('2 of 2')).toBeTruthy();
    expect(hellos[1]?.className).toMatch(/current-match/);
    await fireEvent.keyDown(search, { key: 'Enter', shiftKey: true });
    expect(screen.getByText('1 of 2')).toBeTruthy();
    await type('is hark');
    expect(screen.getByText('1 of 1')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'hark' }).className).toMatch(/current-match/);
    await type('zebra');
    expect(screen.getByText('No matches')).toBeTruthy();
  });

  it('moves between words with the arrow keys', async () => {
    setup();
    await fireEvent.keyDown(screen.getByRole('button', { name: 'world' }), { key: 'ArrowRight' });
    expect(document.activeElement?.textContent).toBe('this');
    expect((document.activeElement as HTMLElement).tabIndex).toBe(0);
    await fireEvent.keyDown(document.activeElement as HTMLElement, { key: 'ArrowLeft' });
    await fireEvent.keyDown(document.activeElement as HTMLElement, { key: 'ArrowLeft' });
    expect(document.activeElement?.textContent).toBe('hello');
  });
});
