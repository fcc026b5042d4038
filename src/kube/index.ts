export { dns1123LabelErrors, dns1123SubdomainErrors, invalidNameMessage } from './names.js';
