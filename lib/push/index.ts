/** zerotel/push: sending metrics to where they are collected. */
export { pushToGateway, groupingPath, TEXT_FORMAT_CONTENT_TYPE, type PushOptions, type PushResult, type PushMethod } from './pushgateway.js';
