// Every workflow type the worker serves. Workflow function names are workflow types: never rename one.
export { smokeWorkflow } from './smoke';
