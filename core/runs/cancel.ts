import type { Redis } from 'ioredis';

/**
 * Cancelling a run reaches the worker running it through Redis pub/sub: every worker
 * listens, the one that holds the run aborts it (its Meltano process group gets SIGTERM,
 * then SIGKILL).
 */
export const cancelChannel = (prefix: string) => `${prefix}:run-cancel`;

export async function requestCancel(redis: Redis, prefix: string, runId: string): Promise<void> {
  await redis.publish(cancelChannel(prefix), runId);
}

export type CancelRegistry = {
  /** An AbortSignal that fires when the run is cancelled (or `also` aborts). */
  watch(runId: string, also?: AbortSignal): { signal: AbortSignal; abort: () => void; done: () => void };
  close(): Promise<void>;
};

export async function listenForCancels(subscriber: Redis, prefix: string): Promise<CancelRegistry> {
  const running = new Map<string, AbortController>();
  subscriber.on('error', () => undefined); // reconnects and re-subscribes by itself
  await subscriber.subscribe(cancelChannel(prefix));
  subscriber.on('message', (_channel, runId: string) => running.get(runId)?.abort());
  return {
    watch(runId, also) {
      const controller = new AbortController();
      const onAlso = () => controller.abort();
      also?.addEventListener('abort', onAlso);
      running.set(runId, controller);
      return {
        signal: controller.signal,
        abort: () => controller.abort(),
        done: () => {
          also?.removeEventListener('abort', onAlso);
          running.delete(runId);
        },
      };
    },
    async close() {
      await subscriber.quit();
    },
  };
}
