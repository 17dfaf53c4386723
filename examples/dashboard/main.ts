/**
 * Serves the dashboard until Ctrl-C:
 *
 *   npm run example:dashboard          (then open the URL it prints)
 *
 * Click "Toggle a server outage" and watch the status line count down the
 * client's retries; click it again and the next attempt recovers.
 */
import { startDashboardServer } from './server.js';

const server = await startDashboardServer(Number(process.env.PORT ?? 0));
console.log(`dashboard on ${server.url}/  (Ctrl-C to stop)`);
process.once('SIGINT', () => void server.close());
