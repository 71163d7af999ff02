// Test support: a real nats-server per test file (JetStream on, private data dir, free port).
import { type NatsServer, startNatsServer } from '../../streams/server.ts';

export async function withNats(): Promise<NatsServer> {
  return startNatsServer();
}
