// node:test loads reporters before `--import tsx` applies to them, so this plain module loads the
// TypeScript reporter through tsx's API and hands it on.
import { tsImport } from 'tsx/esm/api';

const { default: outcomeReporter } = await tsImport('./test-outcome-reporter.ts', import.meta.url);
export default outcomeReporter;
