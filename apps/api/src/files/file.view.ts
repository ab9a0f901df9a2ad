import type { FileRef, FileView } from '@handoff/contracts';
import type { TaskFile } from './task-file.entity.js';

/** The only shape in which a file's row leaves the API: never its storage key. */
export function toFileView(f: TaskFile): FileView {
  return {
    id: f.id,
    taskId: f.taskId,
    purpose: f.purpose,
    messageId: f.messageId,
    uploadedBy: f.uploadedBy,
    name: f.name,
    contentType: f.contentType,
    size: Number(f.size),
    sha256: f.sha256,
    createdAt: f.createdAt.toISOString(),
  };
}

/** A file as a message lists it. */
export const toFileRef = (f: TaskFile): FileRef => ({ id: f.id, name: f.name, contentType: f.contentType, size: Number(f.size) });
