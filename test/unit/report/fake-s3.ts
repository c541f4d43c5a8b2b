/**
 * A tiny stand-in for an S3 server on 127.0.0.1, enough for the MinIO client's ListObjectsV2 (paged,
 * two keys a page so continuation is exercised) and GetObject. It does not check signatures.
 * MinIO's own server cannot run here, so this is how the real client code path gets tested.
 */
import * as http from "http";
import { AddressInfo } from "net";

export interface FakeS3 {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

const xmlEscape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function s3Error(res: http.ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { "Content-Type": "application/xml" });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`);
}

/** Serves `objects` (key -> body) in `bucket`; every object was last modified at `modified`. */
export async function startFakeS3(bucket: string, objects: Record<string, string>, modified: Date): Promise<FakeS3> {
  const requests: string[] = [];
  const keys = Object.keys(objects).sort();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const [, name, ...rest] = url.pathname.split("/");
    if (name !== bucket) return s3Error(res, 404, "NoSuchBucket", "The specified bucket does not exist");
    if (rest.length === 0 || (rest.length === 1 && rest[0] === "")) {
      if (url.searchParams.get("list-type") !== "2") return s3Error(res, 400, "NotImplemented", "only ListObjectsV2");
      const prefix = url.searchParams.get("prefix") ?? "";
      // Real tokens are opaque strings; a bare number would be parsed as a number by the client's XML parser.
      const start = Number((url.searchParams.get("continuation-token") ?? "page-0").replace("page-", ""));
      const matching = keys.filter((k) => k.startsWith(prefix));
      const page = matching.slice(start, start + 2);
      const truncated = start + 2 < matching.length;
      const contents = page
        .map(
          (k) =>
            `<Contents><Key>${xmlEscape(encodeURIComponent(k).replace(/%2F/g, "/"))}</Key>` +
            `<LastModified>${modified.toISOString()}</LastModified><ETag>&quot;0&quot;</ETag>` +
            `<Size>${Buffer.byteLength(objects[k])}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
        )
        .join("");
      res.writeHead(200, { "Content-Type": "application/xml" });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
          `<Name>${bucket}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>1000</MaxKeys>` +
          `<EncodingType>url</EncodingType><IsTruncated>${truncated}</IsTruncated>` +
          (truncated ? `<NextContinuationToken>page-${start + 2}</NextContinuationToken>` : "") +
          `${contents}</ListBucketResult>`,
      );
      return;
    }
    const key = decodeURIComponent(rest.join("/"));
    const body = objects[key];
    if (body === undefined) return s3Error(res, 404, "NoSuchKey", "The specified key does not exist.");
    res.writeHead(200, { "Content-Type": "application/json", "Last-Modified": modified.toUTCString(), ETag: '"0"' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
