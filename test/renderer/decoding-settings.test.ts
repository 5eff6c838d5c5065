import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import type { Settings } from '../../src-main/api/contract';
import { DEFAULT_DECODING } from '../../src-main/engine/transcribe/decoding-defaults';
import SettingsDialog from '../../src-renderer/components/SettingsDialog.svelte';
import { HarkClient } from '../../src-renderer/lib/hark-client';
import { AppState } from '../../src-renderer/state/AppState.svelte';
import {
  hotwordLines,
  hotwordProblem,
} from '../../src-renderer/state/DecodingSettingsState.svelte';
import { fakeBridge } from './fake-bridge';

function initialSettings(): Settings {
  return {
    model: { kind: 'bundled', dir: '/m' },
    activeModel: { kind: 'base' },
    device: 'auto',
    threads: 0,
    decoding: { method: 'greedy', beamWidth: 16, hotwords: ['Siobhan'] },
  };
}

/** A host that keeps the settings it is sent (decoding merged field by field), or refuses. */
async function setup(refuse?: string) {
  let settings = initialSettings();
  const fake = fakeBridge({
    getSettings: () => settings,
    updateSettings: (params) => {
      if (refuse) throw new Error(refuse);
      const change = params as { decoding?: Partial<Settings['decoding']> };
      settings = { ...settings, decoding: { ...settings.decoding, ...change.decoding } };
      return settings;
    },
  });
  const app = new AppState(new HarkClient(fake.bridge));
  await app.load();
  app.settingsOpen = true;
  render(SettingsDialog, { props: { app } });
  const dialog = screen.getByRole('dialog', { name: 'Settings' });
  const updates = () =>
    fake.calls.filter((call) => call.name === 'updateSettings').map((call) => call.params);
  return { app, dialog, updates };
}

describe('decoding settings', () => {
  it('switches to beam search and then sets the beam width', async () => {
    const { app, dialog, updates } = await setup();
    const width = within(dialog).getByRole('spinbutton', { name: /Beam width/ });
    expect((width as HTMLInputElement).disabled).toBe(true);

    const method = within(dialog).getByRole('combobox', { name: 'Decoding' });
    // The method used when the user chooses nothing says so, and only that one.
    const options = within(method).getAllByRole('option') as HTMLOptionElement[];
    expect(options.filter((o) => o.textContent?.includes('default')).map((o) => o.value)).toEqual([
      DEFAULT_DECODING.method,
    ]);
    await fireEvent.change(method, { target: { value: 'beam' } });
    expect(updates()).toEqual([{ decoding: { method: 'beam' } }]);
    expect(app.settings?.decoding.method).toBe('beam');
    await tick();
    expect((width as HTMLInputElement).disabled).toBe(false);

    await fireEvent.change(width, { target: { value: '32' } });
    expect(updates().at(-1)).toEqual({ decoding: { beamWidth: 32 } });
    await fireEvent.change(width, { target: { value: '500' } });
    expect(updates()).toHaveLength(2);
    expect(within(dialog).getByRole('alert').textContent).toMatch(/from 1 to 128/);
  });

  it('edits the custom words and saves them only when asked, as trimmed lines', async () => {
    const { app, dialog, updates } = await setup();
    const box = within(dialog).getByRole('textbox', { name: /Custom words/ });
    expect((box as HTMLTextAreaElement).value).toBe('Siobhan');
    const save = within(dialog).getByRole('button', { name: 'Save the words' });
    expect((save as HTMLButtonElement).disabled).toBe(true);
    expect(within(dialog).getByText(/used with beam search only/)).toBeTruthy();

    await fireEvent.input(box, { target: { value: 'Siobhan\n\n  new york :3 \n# a note\n' } });
    expect(updates()).toEqual([]);
    expect((save as HTMLButtonElement).disabled).toBe(false);
    await fireEvent.click(save);
    expect(updates()).toEqual([{ decoding: { hotwords: ['Siobhan', 'new york :3'] } }]);
    expect(app.settings?.decoding.hotwords).toEqual(['Siobhan', 'new york :3']);
    await tick();
    expect((box as HTMLTextAreaElement).value).toBe('Siobhan\nnew york :3');
    expect((save as HTMLButtonElement).disabled).toBe(true);
  });

  it('refuses a phrase that is too long before asking the host, and reverts', async () => {
    const { dialog, updates } = await setup();
    const box = within(dialog).getByRole('textbox', { name: /Custom words/ });
    await fireEvent.input(box, { target: { value: 'x'.repeat(101) } });
    expect(within(dialog).getByRole('alert').textContent).toMatch(/longer than 100 characters/);
    const save = within(dialog).getByRole('button', { name: 'Save the words' });
    expect((save as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Revert' }));
    expect((box as HTMLTextAreaElement).value).toBe('Siobhan');
    expect(updates()).toEqual([]);
  });

  it('shows why the host refused the words and keeps them in the box', async () => {
    const { dialog } = await setup('custom words, line 1: no word in "!!!"');
    const box = within(dialog).getByRole('textbox', { name: /Custom words/ });
    await fireEvent.input(box, { target: { value: '!!!' } });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Save the words' }));
    expect(within(dialog).getByRole('alert').textContent).toMatch(/line 1: no word/);
    expect((box as HTMLTextAreaElement).value).toBe('!!!');
  });

  it('reads the box as phrases and checks their number and length', () => {
    expect(hotwordLines(' a \n\n#x\nb c :2\n')).toEqual(['a', 'b c :2']);
    expect(hotwordProblem(['a'])).toBeUndefined();
    expect(hotwordProblem(Array.from({ length: 1001 }, () => 'a'))).toMatch(/At most 1000/);
    expect(hotwordProblem(['fine', 'x'.repeat(101)])).toBe(
      `“${'x'.repeat(30)}…” is longer than 100 characters.`,
    );
  });
});
