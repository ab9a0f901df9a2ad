import type { ImportProgressLive, ImportView } from '@handoff/contracts';
import { ApiError, fetchWithAuth, request } from '../api/http';

export const importKeys = {
  all: ['imports'] as const,
  one: (id: string) => ['imports', id] as const,
};

async function parsed<T>(res: Response): Promise<T> {
  const data = (await res.json().catch(() => null)) as unknown;
  if (!res.ok) throw new ApiError(res.status, data && typeof data === 'object' ? (data as { message?: string }) : null, `Upload failed (${res.status}).`);
  return data as T;
}

export const importsApi = {
  /** A file goes as multipart: templateId first, then the file, which the API reads in that order. */
  uploadFile: async (templateId: string, file: File): Promise<ImportView> => {
    const form = new FormData();
    form.append('templateId', templateId);
    form.append('file', file, file.name);
    return parsed<ImportView>(await fetchWithAuth('/api/imports', { method: 'POST', body: form, headers: { Accept: 'application/json' } }));
  },
  uploadText: (templateId: string, csv: string) => request<ImportView>('/imports', { method: 'POST', body: { templateId, csv } }),
  get: (id: string) => request<ImportView>(`/imports/${id}`),
  confirm: (id: string) => request<ImportView>(`/imports/${id}/confirm`, { method: 'POST' }),
};

/** A live progress event folded into the import as the page holds it; counts never go back. */
export function applyProgress(im: ImportView | undefined, p: ImportProgressLive): ImportView | undefined {
  if (!im || im.id !== p.importId) return im;
  if (p.created < im.created || (im.status !== 'running' && im.status !== 'preview' && p.status === 'running')) return im;
  return { ...im, status: p.status, total: p.total, valid: p.valid, rejected: p.rejected, created: p.created, error: p.error };
}

/** Downloads the rejected rows' report as a file; answers its name. */
export async function downloadReport(id: string, doc: Document = document): Promise<string> {
  const res = await fetchWithAuth(`/api/imports/${id}/report`);
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { message?: string } | null;
    throw new ApiError(res.status, body, `Download failed (${res.status}).`);
  }
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'handoff-import-rejected.csv';
  const url = URL.createObjectURL(await res.blob());
  const a = doc.createElement('a');
  a.href = url;
  a.download = name;
  doc.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}
