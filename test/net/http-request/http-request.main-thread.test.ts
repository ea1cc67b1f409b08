import { httpRequestContract } from './contract.js';

httpRequestContract(false);
