// Prints the built site's download sizes (scripts/bench.sh): the first load against its budget, the full
// app, which the landing page loads when another view is opened, and the model's worker, which the page
// starts after its first render.
import { FIRST_LOAD_BUDGET, siteSizes } from '../e2e/support.mjs';

const { firstLoad, full, worker } = siteSizes();
const kb = (n) => `${(n / 1000).toFixed(1)} KB`;
for (const [name, part] of [['first load', firstLoad], ['full app', full], ['worker', worker]]) {
  console.log(`${name.padEnd(10)} ${kb(part.bytes).padStart(9)} raw, ${kb(part.gzip).padStart(8)} gzip, ${kb(part.brotli).padStart(8)} brotli  (${part.files.join(', ')})`);
}
console.log(`first-load budget ${kb(FIRST_LOAD_BUDGET)} gzip: ${kb(FIRST_LOAD_BUDGET - firstLoad.gzip)} left`);
