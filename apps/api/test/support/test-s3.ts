import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { DiskStorage } from '../../src/files/storage/disk-storage.js';
import type { ObjectStorage } from '../../src/files/storage/object-storage.js';
import { S3Storage, type S3StorageOptions } from '../../src/files/storage/s3-storage.js';

export interface TestS3 {
  /** Options for S3Storage pointing at this server's bucket. */
  options: S3StorageOptions;
  endpoint: string;
  bucket: string;
  close(): Promise<void>;
}

const credentials = { region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true };

/**
 * A real S3-compatible server (s3rver) on loopback, with one empty bucket in
 * a temporary directory. It accepts only the access key below (it does not
 * check SigV4 signatures themselves). In this process by default; in a child
 * process when a test measures this process's memory, as the API's would be
 * measured with the S3 service elsewhere.
 */
export async function startTestS3(bucket = 'handoff-test', { childProcess = false } = {}): Promise<TestS3> {
  const directory = await mkdtemp(join(tmpdir(), 'handoff-s3-'));
  const settings = { address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] };
  let stop: () => Promise<void>;
  let port: number;
  if (childProcess) {
    const entry = createRequire(import.meta.url).resolve('s3rver');
    // The child prints its port, and exits when our end of its stdin closes (also if we die).
    const script = `const S3rver = require(${JSON.stringify(entry)});
new S3rver(${JSON.stringify(settings)}).run().then((a) => console.log(a.port));
process.stdin.resume().on('end', () => process.exit(0));`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    port = Number(String(line).trim());
    stop = async () => {
      const exited = once(child, 'exit');
      child.stdin.end();
      await exited;
    };
  } else {
    const server = new S3rver(settings);
    ({ port } = await server.run());
    stop = async () => {
      server.httpServer.closeAllConnections();
      await server.close();
    };
  }
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    options: { endpoint, bucket, ...credentials },
    async close() {
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

export interface StorageHarness {
  storage: ObjectStorage;
  close(): Promise<void>;
}

/** Both drivers, each on its own empty store, for suites that must hold for either. */
export function storageDrivers(opts: { s3ChildProcess?: boolean } = {}): [string, () => Promise<StorageHarness>][] {
  return [
    [
      'disk',
      async () => {
        const root = await mkdtemp(join(tmpdir(), 'handoff-disk-'));
        const storage = new DiskStorage({ root });
        await storage.init();
        return { storage, close: () => rm(root, { recursive: true, force: true }) };
      },
    ],
    [
      's3',
      async () => {
        const s3 = await startTestS3('handoff-test', { childProcess: opts.s3ChildProcess });
        const storage = new S3Storage(s3.options);
        await storage.init();
        return {
          storage,
          close: async () => {
            await storage.close();
            await s3.close();
          },
        };
      },
    ],
  ];
}
