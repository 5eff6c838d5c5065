/** Saves text as a file through the browser's download (browser mode's "save dialog"). */
export function downloadText(options: {
  fileName: string;
  mimeType: string;
  content: string;
}): void {
  const blob = new Blob([options.content], { type: `${options.mimeType};charset=utf-8` });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = options.fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Downloads a file the host serves (browser mode's profile export). */
export function downloadUrl(url: string, fileName: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
}
