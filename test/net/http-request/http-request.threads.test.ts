import { after } from 'node:test';
import { close_worker_pool } from '../../../src/index.js';
import { httpRequestContract } from './contract.js';

httpRequestContract(true);
after(() => close_worker_pool());
