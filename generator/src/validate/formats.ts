/**
 * The `format`s the validator asserts. kubeconform asserts the well-known JSON Schema formats and
 * adds `duration`; we do the same and also check `int32`/`int64` ranges (so `replicas: 2147483648`
 * fails here, as it would at the API server). Every other format a CRD names (float, double,
 * password, quantity…) is an annotation: the CRD converter drops it.
 */
import { fullFormats } from 'ajv-formats/dist/formats.js';
import type { Format } from 'ajv';

/** Go's time.ParseDuration syntax (`1h30m`, `10s`, `0`) or ISO 8601 (`PT1H30M`), as kubeconform accepts. */
const GO_DURATION = /^[-+]?(0|([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+$|^[-+]?0$/u;
const ISO_DURATION = /^P(?!$)((\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?)$/;

/** name → Ajv format. Also the module the precompiled validators `require` their formats from. */
export const FORMATS: Record<string, Format> = {
  'date-time': fullFormats['date-time'],
  date: fullFormats.date,
  time: fullFormats.time,
  email: fullFormats.email,
  hostname: fullFormats.hostname,
  ipv4: fullFormats.ipv4,
  ipv6: fullFormats.ipv6,
  uri: fullFormats.uri,
  'uri-reference': fullFormats['uri-reference'],
  uuid: fullFormats.uuid,
  byte: fullFormats.byte,
  int32: fullFormats.int32,
  int64: fullFormats.int64,
  duration: { type: 'string', validate: (s: string) => GO_DURATION.test(s) || ISO_DURATION.test(s) },
};

/** Format names that are checked; the CRD converter drops every other. */
export const ASSERTED_FORMATS: ReadonlySet<string> = new Set(Object.keys(FORMATS));
