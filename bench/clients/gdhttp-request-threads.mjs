// gdhttp HTTPRequest node with use_threads = true (network, TLS, parsing and decoding in a worker thread).
import { openRequestSession } from './gdhttp-common.mjs';

export default {
  name: 'gdhttp-request-threads',
  open: () => openRequestSession({ useThreads: true }),
};
