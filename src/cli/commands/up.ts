import { loadConfig } from '../../config/index.js';
import { startInstance } from '../../runtime/index.js';
import { type Command, parseFlags } from '../command.js';

const USAGE =
  'irsakit up [--port 4600] [--host 127.0.0.1] [--data DIR | --in-memory] [--account 111122223333] [--region us-east-1]';

export const upCommand: Command = {
  name: 'up',
  summary: 'start every listener (AWS endpoint, issuer, webhook, IMDS) in the foreground',
  usage: USAGE,
  async run(argv, io) {
    const { values } = parseFlags(
      argv,
      {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        'in-memory': { type: 'boolean' },
        account: { type: 'string' },
        region: { type: 'string' },
      },
      USAGE,
    );
    const config = loadConfig({ flags: values as Record<string, string | boolean | undefined>, env: io.env });
    const instance = await startInstance(config, { log: (line) => io.stderr.write(`${line}\n`) });
    const h = instance.health();
    const { admin } = instance.state;
    io.stdout.write(
      [
        `irsakit is up: account ${h.account}, region ${h.region}, data ${config.dataDir ?? '(in memory)'}`,
        `  administrator:  AWS_ACCESS_KEY_ID=${admin.accessKeyId} AWS_SECRET_ACCESS_KEY=${admin.secretAccessKey}`,
        ...(config.dataDir === null
          ? [`  control token:  IRSAKIT_ADMIN_TOKEN=${instance.state.adminToken}`]
          : []),
        `  CA certificate: ${config.dataDir ? `${config.dataDir}/ca.pem` : '(GET /_irsakit/health → caCertificate)'}`,
        `ready aws=${h.endpoints.aws} issuer=${h.clusters[0]?.issuer ?? h.endpoints.issuer}${h.endpoints.webhook ? ` webhook=${h.endpoints.webhook}` : ''}${h.endpoints.imds ? ` imds=${h.endpoints.imds}` : ''}`,
        '',
      ].join('\n'),
    );
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
        io.stderr.write(`irsakit: ${signal} received, shutting down\n`);
        instance.close().then(resolve, resolve);
      };
      const onInt = () => stop('SIGINT');
      const onTerm = () => stop('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
    });
    return 0;
  },
};
