export {
  createCa,
  issueServerCert,
  type KeyPairPem,
  type ServerCertOptions,
  sha1Thumbprint,
} from './certificates.js';
