// Test support: a real nats-server per test file (JetStream on, private data dir, free port)
// and a client connection, started before the file's tests and stopped after them.
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll } from 'vitest';
import { connectNats } from '../../streams/manager.ts';
import { type NatsServer, startNatsServer } from '../../streams/server.ts';

export interface NatsFixture {
  server: NatsServer;
  nc: NatsConnection;
}

/** Registers beforeAll/afterAll; read `.server` and `.nc` inside tests. `cleanup` runs first. */
export function useNats(cleanup?: () => void): NatsFixture {
  const fixture = {} as NatsFixture;
  beforeAll(async () => {
    fixture.server = await startNatsServer();
    fixture.nc = await connectNats(fixture.server.url, 'test');
  });
  afterAll(async () => {
    cleanup?.();
    await fixture.nc?.close();
    await fixture.server?.stop();
  });
  return fixture;
}
