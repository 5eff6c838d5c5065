/** Minimal shapes of the File and Directory Entries API (webkitGetAsEntry). */
interface EntryLike {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
}
interface FileEntryLike extends EntryLike {
  file(success: (file: File) => void, failure: (error: unknown) => void): void;
}
interface DirectoryEntryLike extends EntryLike {
  createReader(): {
    readEntries(success: (entries: EntryLike[]) => void, failure: (error: unknown) => void): void;
  };
}

const MAX_FILES = 2000;

export function isAudioFileName(name: string): boolean {
  return /\.(wav|wave)$/i.test(name);
}

async function readAll(dir: DirectoryEntryLike): Promise<EntryLike[]> {
  const reader = dir.createReader();
  const all: EntryLike[] = [];
  // readEntries returns batches until an empty one.
  for (;;) {
    const batch = await new Promise<EntryLike[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    );
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

async function walk(entry: EntryLike, into: File[], depth: number): Promise<void> {
  if (into.length >= MAX_FILES || depth > 8) return;
  if (entry.isFile) {
    if (depth > 0 && !isAudioFileName(entry.name)) return;
    const file = await new Promise<File>((resolve, reject) =>
      (entry as FileEntryLike).file(resolve, reject),
    );
    into.push(file);
  } else if (entry.isDirectory) {
    const children = await readAll(entry as DirectoryEntryLike);
    children.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
    for (const child of children) await walk(child, into, depth + 1);
  }
}

/**
 * The files of a drop, in browser mode: dropped files as they are, dropped folders expanded to
 * the WAV files inside them (a browser gives File objects, never paths).
 */
export async function filesFromDrop(transfer: DataTransfer): Promise<File[]> {
  const entries: EntryLike[] = [];
  for (const item of Array.from(transfer.items ?? [])) {
    const entry = (item as { webkitGetAsEntry?: () => EntryLike | null }).webkitGetAsEntry?.();
    if (entry) entries.push(entry);
  }
  if (entries.length === 0) return Array.from(transfer.files ?? []);
  const files: File[] = [];
  for (const entry of entries) await walk(entry, files, 0);
  return files;
}

/** Whether a drag carries files (and not, say, selected text). */
export function dragHasFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer?.types ?? []).includes('Files');
}
