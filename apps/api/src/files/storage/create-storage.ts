import type { StorageSettings } from '../../config/config.js';
import { DiskStorage } from './disk-storage.js';
import type { ObjectStorage } from './object-storage.js';
import { S3Storage } from './s3-storage.js';

/** The store STORAGE_DRIVER names; call init() on it before use. */
export function createObjectStorage(settings: StorageSettings): ObjectStorage {
  switch (settings.driver) {
    case 'disk':
      return new DiskStorage({ root: settings.dir });
    case 's3':
      return new S3Storage(settings.s3);
  }
}
