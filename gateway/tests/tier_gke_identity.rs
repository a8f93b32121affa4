//! A Google Cloud Storage tier with no key is reached with the pod's GKE workload identity,
//! through OpenDAL's credential chain (reqsign): on GKE, a pod's requests to the metadata
//! server (`metadata.google.internal`) are answered by the node's GKE metadata server, which
//! gives each pod an access token for its own Kubernetes service account. strata asks it for
//! a token and sends it as a bearer token with every Cloud Storage request.
//!
//! Neither side has an emulator installable here, so both are small servers in the test
//! script that speak the documented wire formats:
//! - the metadata server: `GET /computeMetadata/v1/instance/service-accounts/default/token
//!   ?scopes=...` with the header `Metadata-Flavor: Google` (refused without it), answering
//!   JSON `access_token`, `expires_in`, `token_type`; strata finds it through
//!   `GCE_METADATA_HOST`, the variable Google's client libraries read, instead of the
//!   link-local address a pod uses;
//! - Cloud Storage: the JSON API's media upload, download (with `Range`) and delete, and the
//!   XML API's multipart upload that OpenDAL uses for objects of several chunks; every
//!   request must carry a bearer token the bucket grants (401 without one, 403 with another).
//!
//! The tier reads ahead (`read_ahead = 2`): a whole read of the 20 MiB object is ranged GETs
//! of 8 MiB chunks. With a pod whose identity the bucket does not grant, a PUT naming the
//! tier answers 503.

use std::path::Path;

use strata_tests::{free_port, required_env, Server};

#[path = "support/services.rs"]
mod services;
use services::{start, strata_with_config, wait_listening, Running};

const BUCKET: &str = "strata-cold";

/// The metadata server and Cloud Storage; each request is a line of JSON in `log`.
const GOOGLE: &str = r#"
import base64, hashlib, json, os, re, threading, urllib.parse, uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

READ_WRITE = 'https://www.googleapis.com/auth/devstorage.read_write'
lock = threading.Lock()

def record(log, entry):
    with lock, open(log, 'a') as f:
        f.write(json.dumps(entry) + '\n')

class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def reply(self, status, body=b'', headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def json(self, status, doc, headers=()):
        self.reply(status, json.dumps(doc).encode(), (('Content-Type', 'application/json'),) + tuple(headers))
    def body(self):
        return self.rfile.read(int(self.headers.get('Content-Length') or 0))
    def log_message(self, *args):
        pass

def serve_metadata(port, token, log):
    class Metadata(Handler):
        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            scopes = urllib.parse.parse_qs(url.query).get('scopes', [''])[0].split(',')
            flavored = self.headers.get('Metadata-Flavor') == 'Google'
            ok = (flavored and READ_WRITE in scopes
                  and url.path == '/computeMetadata/v1/instance/service-accounts/default/token')
            record(log, {'server': 'metadata', 'path': url.path, 'issued': ok})
            if ok:
                self.json(200, {'access_token': token, 'expires_in': 3599, 'token_type': 'Bearer'},
                          [('Metadata-Flavor', 'Google')])
            elif not flavored:
                self.reply(403, b'Missing Metadata-Flavor:Google header.')
            else:
                self.reply(404, b'Not Found')
    ThreadingHTTPServer(('127.0.0.1', port), Metadata).serve_forever()

def serve_storage(port, bucket, granted, store, log):
    objects, uploads = {}, {}
    def keep(name, data):
        objects[name] = data
        with open(os.path.join(store, urllib.parse.quote(name, safe='')), 'wb') as f:
            f.write(data)
    def resource(name, data):
        return {'kind': 'storage#object', 'bucket': bucket, 'name': name, 'size': str(len(data)),
                'md5Hash': base64.b64encode(hashlib.md5(data).digest()).decode(),
                'etag': 'CAE=', 'generation': '1', 'contentType': 'application/octet-stream',
                'updated': '2026-12-07T00:00:00.000Z'}
    class Storage(Handler):
        def route(self):
            url = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
            auth = self.headers.get('Authorization', '')
            allowed = auth.startswith('Bearer ') and auth[len('Bearer '):] in granted
            record(log, {'server': 'storage', 'method': self.command, 'path': url.path,
                         'query': sorted(query), 'allowed': allowed,
                         'range': self.headers.get('Range')})
            body = self.body()
            if not auth.startswith('Bearer '):
                self.json(401, {'error': {'code': 401, 'message': 'Anonymous caller does not have storage.objects access.'}})
            elif not allowed:
                self.json(403, {'error': {'code': 403, 'message': 'Caller does not have storage.objects access.'}})
            else:
                return url.path, query, body
            return None
        def json_name(self, path):
            prefix = '/storage/v1/b/%s/o/' % bucket
            return urllib.parse.unquote(path[len(prefix):]) if path.startswith(prefix) else None
        def xml_name(self, path):
            prefix = '/%s/' % bucket
            return urllib.parse.unquote(path[len(prefix):]) if path.startswith(prefix) else None
        def do_POST(self):
            routed = self.route()
            if routed is None:
                return
            path, query, body = routed
            if path == '/upload/storage/v1/b/%s/o' % bucket and query.get('uploadType') == ['media']:
                name = query['name'][0]
                keep(name, body)
                self.json(200, resource(name, body))
            elif self.xml_name(path) and 'uploads' in query:
                upload = uuid.uuid4().hex
                uploads[upload] = {}
                self.reply(200, ('<?xml version="1.0" encoding="UTF-8"?><InitiateMultipartUploadResult>'
                                 '<Bucket>%s</Bucket><Key>%s</Key><UploadId>%s</UploadId>'
                                 '</InitiateMultipartUploadResult>' % (bucket, self.xml_name(path), upload)).encode(),
                           [('Content-Type', 'application/xml')])
            elif self.xml_name(path) and query.get('uploadId', [''])[0] in uploads:
                parts = uploads.pop(query['uploadId'][0])
                numbers = [int(n) for n in re.findall(r'<PartNumber>(\d+)</PartNumber>', body.decode())]
                assert numbers == sorted(parts), (numbers, sorted(parts))
                keep(self.xml_name(path), b''.join(parts[n] for n in numbers))
                self.reply(200, b'<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUploadResult/>',
                           [('Content-Type', 'application/xml')])
            else:
                self.json(400, {'error': {'code': 400, 'message': 'unexpected POST ' + self.path}})
        def do_PUT(self):
            routed = self.route()
            if routed is None:
                return
            path, query, body = routed
            upload = query.get('uploadId', [''])[0]
            if self.xml_name(path) and upload in uploads:
                uploads[upload][int(query['partNumber'][0])] = body
                self.reply(200, headers=[('ETag', '"%s"' % hashlib.md5(body).hexdigest())])
            else:
                self.json(400, {'error': {'code': 400, 'message': 'unexpected PUT ' + self.path}})
        def do_GET(self):
            routed = self.route()
            if routed is None:
                return
            path, query, _ = routed
            name = self.json_name(path)
            if name not in objects:
                self.json(404, {'error': {'code': 404, 'message': 'No such object: %s' % name}})
                return
            data = objects[name]
            if query.get('alt') != ['media']:
                self.json(200, resource(name, data))
                return
            ranged = self.headers.get('Range')
            if ranged:
                first, last = ranged[len('bytes='):].split('-')
                first, last = int(first), min(int(last) if last else len(data) - 1, len(data) - 1)
                self.reply(206, data[first:last + 1], [('Content-Range', 'bytes %d-%d/%d' % (first, last, len(data)))])
            else:
                self.reply(200, data)
        def do_DELETE(self):
            routed = self.route()
            if routed is None:
                return
            path, query, _ = routed
            name = self.json_name(path)
            if name in objects:
                del objects[name]
                os.remove(os.path.join(store, urllib.parse.quote(name, safe='')))
                self.reply(204)
            elif query.get('uploadId', [''])[0] in uploads:
                del uploads[query['uploadId'][0]]
                self.reply(204)
            else:
                self.json(404, {'error': {'code': 404, 'message': 'No such object: %s' % name}})
    ThreadingHTTPServer(('127.0.0.1', port), Storage).serve_forever()
"#;

/// `call` of [`GOOGLE`] in a Python of its own, listening on `port`.
fn google(port: u16, call: &str, what: &str) -> Running {
    let running = start(
        &required_env("STRATA_PYTHON"),
        &["-c", &format!("{GOOGLE}\n{call}")],
    );
    wait_listening(port, what);
    running
}

/// The GKE metadata server on a port of its own, giving the pod `token`.
fn metadata_server(token: &str, log: &Path) -> (Running, u16) {
    let port = free_port();
    let call = format!("serve_metadata({port}, {token:?}, {:?})", log.display());
    (google(port, &call, "the metadata server"), port)
}

/// strata with the tier on the Cloud Storage at `storage`, no key, and the metadata server at
/// `metadata`.
fn server_with_identity(dir: &Path, storage: u16, metadata: u16) -> Server {
    let config = format!(
        "[[tiers]]\nname = \"cloud\"\nstorage_class = \"COLD\"\nservice = \"gcs\"\n\
         options = {{ endpoint = \"http://127.0.0.1:{storage}\", bucket = \"{BUCKET}\", \
         root = \"/tier\" }}\nread_ahead = 2\n"
    );
    let metadata = format!("127.0.0.1:{metadata}");
    strata_with_config(dir, &config, &[("GCE_METADATA_HOST", &metadata)])
}

/// The log's entries from `server` ("metadata" or "storage").
fn entries(log: &Path, server: &str) -> Vec<serde_json::Value> {
    std::fs::read_to_string(log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["server"] == server)
        .collect()
}

#[test]
fn a_gcs_tier_without_a_key_is_reached_with_the_pods_gke_workload_identity() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, log) = (tmp.path().join("bucket"), tmp.path().join("google.jsonl"));
    std::fs::create_dir(&store).unwrap();
    let pods_token = "ya29.pod-app-strata";
    let storage_port = free_port();
    let _storage = google(
        storage_port,
        &format!(
            "serve_storage({storage_port}, {BUCKET:?}, {{{pods_token:?}}}, {:?}, {:?})",
            store.display(),
            log.display()
        ),
        "Cloud Storage",
    );
    let (_metadata, metadata_port) = metadata_server(pods_token, &log);
    let server = server_with_identity(&tmp.path().join("server"), storage_port, metadata_port);
    // One object of one remote write (JSON media upload) and one of three 8 MiB chunks (XML
    // multipart upload); plaintext that would show if it reached the bucket.
    strata_tests::boto3_ok(
        &server,
        &format!(
            r#"
import os, time
s3.create_bucket(Bucket='gkeid')
small = b'strata plaintext ' * 200000
big = os.urandom(20 * 1024 * 1024 + 5) + small
for key, data in (('small', small), ('big', big)):
    s3.put_object(Bucket='gkeid', Key=key, Body=data, StorageClass='COLD')
    assert s3.head_object(Bucket='gkeid', Key=key)['StorageClass'] == 'COLD'
    assert s3.get_object(Bucket='gkeid', Key=key)['Body'].read() == data
    middle = len(data) // 2
    for first, last in ((1000, 2000), (middle - 40000, middle + 40000), (len(data) - 70000, len(data) - 1)):
        got = s3.get_object(Bucket='gkeid', Key=key, Range='bytes=%d-%d' % (first, last))['Body'].read()
        assert got == data[first:last + 1], (key, first, last)
stored = os.listdir({store:?})
assert len(stored) == 2, stored
for name in stored:
    assert name.startswith('tier%2F') and len(name) == len('tier%2F') + 32, name
    assert b'strata plaintext' not in open(os.path.join({store:?}, name), 'rb').read()
for key in ('small', 'big'):
    s3.delete_object(Bucket='gkeid', Key=key)
deadline = time.time() + 20
while os.listdir({store:?}):
    assert time.time() < deadline, 'the remote objects were not deleted'
    time.sleep(0.2)
print('ok')
"#,
            store = store.display().to_string()
        ),
    );
    let issued = entries(&log, "metadata");
    assert!(
        !issued.is_empty() && issued.iter().all(|e| e["issued"] == true),
        "{issued:?}"
    );
    let requests = entries(&log, "storage");
    assert!(
        requests.iter().all(|e| e["allowed"] == true),
        "{requests:?}"
    );
    for (method, query) in [
        ("POST", "uploadType"),
        ("POST", "uploads"),
        ("PUT", "partNumber"),
    ] {
        assert!(
            requests
                .iter()
                .any(|e| e["method"] == method && e["query"].to_string().contains(query)),
            "no {method} with {query}: {requests:?}"
        );
    }
    // The big object's whole reads: its first 8 MiB streamed, the next chunks fetched
    // ahead, each by a ranged GET of its own (`read_ahead`).
    for first in [0u64, 8 << 20, 16 << 20] {
        let range = format!("bytes={first}-");
        assert!(
            requests.iter().any(|e| e["method"] == "GET"
                && e["range"].as_str().is_some_and(|r| r.starts_with(&range))),
            "no GET of {range}: {requests:?}"
        );
    }
    drop(server);

    // A pod whose service account the bucket does not grant: its token is refused (403),
    // and a PUT naming the tier answers 503 and stores nothing.
    let (_other_metadata, other_port) = metadata_server("ya29.pod-app-intruder", &log);
    let server = server_with_identity(&tmp.path().join("other"), storage_port, other_port);
    strata_tests::boto3_ok(
        &server,
        r#"
s3.create_bucket(Bucket='gkeid')
assert refused(lambda: s3.put_object(Bucket='gkeid', Key='obj', Body=b'x' * 1000, StorageClass='COLD')) == ('ServiceUnavailable', 503)
assert 'Contents' not in s3.list_objects_v2(Bucket='gkeid')
print('ok')
"#,
    );
    let refused: Vec<_> = entries(&log, "storage")
        .into_iter()
        .filter(|e| e["allowed"] == false)
        .collect();
    assert!(
        !refused.is_empty(),
        "the other pod's token reached no request"
    );
    assert_eq!(std::fs::read_dir(&store).unwrap().count(), 0);
}
