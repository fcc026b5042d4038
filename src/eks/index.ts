export { clusterShape, createEks, type Eks, type EksOptions } from './create-eks.js';
