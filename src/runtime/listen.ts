import type { Server } from 'node:http';
import { IrsakitError } from '../errors/index.js';

/** Listens, turning EADDRINUSE into a message that names the listener and the port. Resolves the bound port. */
export function listen(server: Server, name: string, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') {
        reject(
          new IrsakitError(
            'ERR_PORT_IN_USE',
            `the ${name} listener cannot bind ${host}:${port}: the port is in use (is another irsakit running? choose another --port)`,
            { port },
          ),
        );
      } else {
        reject(
          new IrsakitError(
            'ERR_PORT_IN_USE',
            `the ${name} listener cannot bind ${host}:${port}: ${err.message}`,
          ),
        );
      }
    };
    const onListening = () => {
      server.off('error', onError);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Closes a server and every open connection (keep-alive sockets would otherwise hold close() open). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
