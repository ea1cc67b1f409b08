// gdhttp HTTPRequest node (use_threads = false): one node per lane, request() + request_completed.
import { openRequestSession } from './gdhttp-common.mjs';

export default {
  name: 'gdhttp-request',
  open: () => openRequestSession({ useThreads: false }),
};
