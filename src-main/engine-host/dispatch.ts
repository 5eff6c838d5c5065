import { fail, ok } from '../api/api-error';
import { checkParams, isRequestName, type Reply } from '../api/contract';
import type { RequestHandlers } from './hark-service';

/**
 * The one entry for a request from any bridge (IPC, WebSocket): checks the name and params
 * against the contract, runs the handler, and answers with a Reply (errors as data).
 *
 * @example
 * const dispatch = createDispatcher(service.handlers);
 * const reply = await dispatch('cancelJob', { jobId }); // { ok: true, value: { job } }
 */
export function createDispatcher(
  handlers: RequestHandlers,
): (name: unknown, params: unknown) => Promise<Reply<unknown>> {
  return async (name, params) => {
    if (!isRequestName(name)) {
      return fail({ code: 'INVALID_ARGUMENT', message: `unknown request ${JSON.stringify(name)}` });
    }
    try {
      const checked = checkParams(name, params);
      const handler = handlers[name] as (params: unknown) => Promise<unknown>;
      return ok(await handler(checked));
    } catch (error) {
      return fail(error);
    }
  };
}
