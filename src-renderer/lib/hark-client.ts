import { unwrap } from '../../src-main/api/api-error';
import type {
  HarkBridge,
  ParamsOf,
  PushEvent,
  Reply,
  RequestName,
  ResultOf,
} from '../../src-main/api/contract';

type ParamsArgs<K extends RequestName> = keyof ParamsOf<K> extends never
  ? [params?: ParamsOf<K>]
  : [params: ParamsOf<K>];

/**
 * The renderer's view of the API: the bridge's verbs, returning results and throwing ApiError
 * (with the contract's code) instead of returning Reply objects.
 *
 * @example
 * const client = new HarkClient(window.hark);
 * const { jobs } = await client.call('addFiles', { paths });
 */
export class HarkClient {
  readonly bridge: HarkBridge;

  constructor(bridge: HarkBridge) {
    this.bridge = bridge;
  }

  async call<K extends RequestName>(name: K, ...args: ParamsArgs<K>): Promise<ResultOf<K>> {
    const verb = this.bridge[name] as (params?: unknown) => Promise<Reply<ResultOf<K>>>;
    return unwrap(await verb(args[0] ?? {}));
  }

  subscribe(listener: (event: PushEvent) => void): () => void {
    return this.bridge.subscribe(listener);
  }

  async resolveFiles(files: File[]): Promise<string[]> {
    return unwrap(await this.bridge.resolveFiles(files)).paths;
  }
}
