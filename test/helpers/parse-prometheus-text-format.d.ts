declare module 'parse-prometheus-text-format' {
  /** The families of a Prometheus text exposition, as prom2json prints them. */
  export default function parsePrometheusTextFormat(text: string): unknown[];
}
