import type { BrowserWindow, Dialog, FileFilter } from 'electron';
import type { ExportFormat } from '../api/contract';
import type { NativeDialogs } from '../engine-host/hark-service';
import { writeFileAtomic } from '../engine-host/atomic-file';
import { PROFILE_ARCHIVE_EXTENSION } from '../engine-host/profile-handlers';

const FORMAT_FILTERS: Record<ExportFormat, FileFilter> = {
  txt: { name: 'Text', extensions: ['txt'] },
  srt: { name: 'SubRip subtitles', extensions: ['srt'] },
  vtt: { name: 'WebVTT subtitles', extensions: ['vtt'] },
  json: { name: 'JSON', extensions: ['json'] },
};

const PROFILE_FILTER: FileFilter = {
  name: 'Hark voice profile',
  extensions: [PROFILE_ARCHIVE_EXTENSION],
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
    profiles: {
      async chooseProfileSavePath(defaultName) {
        const parent = window();
        const options = {
          title: 'Export the voice profile',
          defaultPath: defaultName,
          filters: [PROFILE_FILTER],
        };
        const result = parent
          ? await dialog.showSaveDialog(parent, options)
          : await dialog.showSaveDialog(options);
        return result.canceled ? undefined : result.filePath;
      },
      async openProfileArchive() {
        const parent = window();
        const options = {
          title: 'Import a voice profile',
          properties: ['openFile'] as 'openFile'[],
          filters: [PROFILE_FILTER, { name: 'All files', extensions: ['*'] }],
        };
        const result = parent
          ? await dialog.showOpenDialog(parent, options)
          : await dialog.showOpenDialog(options);
        return result.canceled ? undefined : result.filePaths[0];
      },
      async chooseRecordingsFolder() {
        const parent = window();
        const options = {
          title: 'Import recordings (a folder of WAV files, each with a .txt of what was said)',
          properties: ['openDirectory'] as 'openDirectory'[],
        };
        const result = parent
          ? await dialog.showOpenDialog(parent, options)
          : await dialog.showOpenDialog(options);
        return result.canceled ? undefined : result.filePaths[0];
      },
    },
  };
}
