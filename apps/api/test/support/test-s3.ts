import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import type { S3StorageOptions } from '../../src/files/storage/s3-storage.js';

export interface TestS3 {
  /** Options for S3Storage pointing at this server's bucket. */
  options: S3StorageOptions;
  endpoint: string;
  bucket: string;
  close(): Promise<void>;
}

/**
 * A real S3-compatible server (s3rver) in this process, on loopback, with
 * one empty bucket in a temporary directory. It accepts only the access key
 * below (it does not check SigV4 signatures themselves).
 */
export async function startTestS3(bucket = 'handoff-test'): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), 'handoff-s3-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    options: { endpoint, region: 'us-east-1', bucket, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true },
    async close() {
      server.httpServer.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
