import type { BrowserWindow, Dialog, FileFilter } from 'electron';
import type { ExportFormat } from '../api/contract';
import type { NativeDialogs } from '../engine-host/hark-service';
import { writeFileAtomic } from '../engine-host/atomic-file';

const FORMAT_FILTERS: Record<ExportFormat, FileFilter> = {
  txt: { name: 'Text', extensions: ['txt'] },
  srt: { name: 'SubRip subtitles', extensions: ['srt'] },
  vtt: { name: 'WebVTT subtitles', extensions: ['vtt'] },
  json: { name: 'JSON', extensions: ['json'] },
};

/** The open/save dialogs of the desktop app, parented to the main window. */
export function createNativeDialogs(
  dialog: Dialog,
  window: () => BrowserWindow | undefined,
): NativeDialogs {
  return {
    async openAudioFiles() {
      const parent = window();
      const options = {
        title: 'Add audio files',
        properties: ['openFile', 'multiSelections'] as ('openFile' | 'multiSelections')[],
        filters: [
          { name: 'WAV audio', extensions: ['wav', 'wave'] },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      const result = parent
        ? await dialog.showOpenDialog(parent, options)
        : await dialog.showOpenDialog(options);
      return result.canceled ? [] : result.filePaths;
    },
    async chooseModelFolder() {
      const parent = window();
      const options = {
        title: 'Import a model folder (model.onnx + tokens.txt)',
        properties: ['openDirectory'] as 'openDirectory'[],
      };
      const result = parent
        ? await dialog.showOpenDialog(parent, options)
        : await dialog.showOpenDialog(options);
      return result.canceled ? undefined : result.filePaths[0];
    },
    async chooseSavePath({ defaultName, format }) {
      const parent = window();
      const options = {
        title: 'Export the transcript',
        defaultPath: defaultName,
        filters: [FORMAT_FILTERS[format]],
      };
      const result = parent
        ? await dialog.showSaveDialog(parent, options)
        : await dialog.showSaveDialog(options);
      return result.canceled ? undefined : result.filePath;
    },
    writeFile: (path, content) => writeFileAtomic(path, content),
  };
}
