package org.fhirsnapshot.payload;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Payloads as objects in an S3-compatible bucket (AWS S3, MinIO, Ceph, S3Proxy…), keyed
 * {@code <prefix><sha256 hex>.json.gz}. Each object holds the same gzip member that {@link FileSystemPayloadStore}
 * writes for the same payload, as an opaque blob ({@code Content-Type: application/gzip}, no
 * {@code Content-Encoding}, so no client inflates it on the way), and archive-service can copy its deflate stream.
 *
 * <p>
 * A payload is gzipped to a local spool file while its SHA-256 is computed; the commit asks whether the object is
 * already there (HEAD: the same bytes are stored once) and otherwise uploads the file, streamed, in one PUT or, above
 * the multipart threshold, in parts. A PUT (or a completed multipart upload) becomes visible whole or not at all, so
 * a reader never sees a partial payload; a failed multipart upload is aborted. Two writers of the same bytes may both
 * upload them: they write the same object.
 *
 * <p>
 * Reads are GETs, ranged where the caller asks for part of the object; a read stream closed before its end aborts its
 * connection rather than downloading the rest. Every call blocks.
 */
public final class S3PayloadStore implements PayloadStore, AutoCloseable {

    private static final String CONTENT_TYPE = "application/gzip";
    private static final String SUFFIX = ".json.gz";
    private static final int NOT_FOUND = 404;
    private static final int RANGE_NOT_SATISFIABLE = 416;

    private final S3Client client;
    private final String bucket;
    private final String prefix;
    private final Path spoolDirectory;
    private final long multipartThreshold;
    private final long partSize;

    private S3PayloadStore(S3Client client, S3StoreSettings settings) {
        this.client = client;
        this.bucket = settings.bucket();
        this.prefix = settings.prefix();
        this.spoolDirectory = settings.spoolDirectory()
                .orElseGet(() -> Path.of(System.getProperty("java.io.tmpdir"), "fhir-snapshot-payloads"));
        this.multipartThreshold = settings.multipartThreshold();
        this.partSize = settings.partSize();
        try {
            Files.createDirectories(spoolDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the payload spool directory " + spoolDirectory, e);
        }
    }

    /**
     * A store over a new S3 client (the SDK's Apache HttpClient 5 transport) built from {@code settings}; closing the
     * store closes the client. Nothing is requested yet: {@link #checkAvailable()} tells whether the bucket answers.
     */
    public static S3PayloadStore connect(S3StoreSettings settings) {
        S3ClientBuilder builder = S3Client.builder()
                .httpClientBuilder(Apache5HttpClient.builder())
                .region(Region.of(settings.region()))
                .forcePathStyle(settings.pathStyle())
                .credentialsProvider(credentials(settings));
        settings.endpoint().ifPresent(builder::endpointOverride);
        return new S3PayloadStore(builder.build(), settings);
    }

    private static AwsCredentialsProvider credentials(S3StoreSettings settings) {
        if (settings.accessKeyId().isPresent()) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKeyId().get(),
                    settings.secretAccessKey().orElseThrow()));
        }
        return DefaultCredentialsProvider.builder().build();
    }

    @Override
    public PayloadWriter openWriter() throws IOException {
        return new SpooledPayloadWriter(spoolDirectory, false, this::upload);
    }

    private StoredPayload upload(Path spooled, String ref, long size, long compressedSize) throws IOException {
        String key = keyOf(ref);
        try {
            if (head(key) == null) {
                if (compressedSize > multipartThreshold) {
                    uploadInParts(spooled, key, compressedSize);
                } else {
                    client.putObject(put -> put.bucket(bucket).key(key).contentType(CONTENT_TYPE)
                            .contentLength(compressedSize), RequestBody.fromFile(spooled));
                }
            }
        } catch (SdkException e) {
            throw failure("could not store payload " + ref, e);
        }
        return new StoredPayload(ref, size, compressedSize);
    }

    /** One part after the other, each streamed from its slice of the spool file; aborted on any failure. */
    private void uploadInParts(Path spooled, String key, long length) {
        String uploadId = client
                .createMultipartUpload(create -> create.bucket(bucket).key(key).contentType(CONTENT_TYPE))
                .uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            int number = 1;
            for (long offset = 0; offset < length; offset += partSize, number++) {
                long from = offset;
                long partLength = Math.min(partSize, length - offset);
                int partNumber = number;
                String eTag = client.uploadPart(part -> part.bucket(bucket).key(key).uploadId(uploadId)
                        .partNumber(partNumber).contentLength(partLength),
                        RequestBody.fromContentProvider(() -> slice(spooled, from, partLength), partLength,
                                CONTENT_TYPE))
                        .eTag();
                parts.add(CompletedPart.builder().partNumber(partNumber).eTag(eTag).build());
            }
            client.completeMultipartUpload(complete -> complete.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(upload -> upload.parts(parts)));
        } catch (RuntimeException e) {
            try {
                client.abortMultipartUpload(abort -> abort.bucket(bucket).key(key).uploadId(uploadId));
            } catch (SdkException abortFailure) {
                e.addSuppressed(abortFailure);
            }
            throw e;
        }
    }

    private static InputStream slice(Path file, long offset, long length) {
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            channel.position(offset);
            return new BoundedInputStream(Channels.newInputStream(channel), length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public InputStream open(String ref) throws IOException {
        return new GZIPInputStream(openCompressed(ref), 64 * 1024);
    }

    @Override
    public InputStream openCompressed(String ref, long offset, long length) throws IOException {
        FileSystemPayloadStore.checkRange(offset, length);
        String key = keyOf(ref);
        if (length == 0) {
            compressedSize(ref);
            return InputStream.nullInputStream();
        }
        GetObjectRequest.Builder request = GetObjectRequest.builder().bucket(bucket).key(key);
        boolean toTheEnd = length > Long.MAX_VALUE - offset;
        if (offset > 0 || !toTheEnd) {
            request.range("bytes=" + offset + "-" + (toTheEnd ? "" : String.valueOf(offset + length - 1)));
        }
        try {
            ResponseInputStream<GetObjectResponse> body = client.getObject(request.build());
            Long contentLength = body.response().contentLength();
            return new ObjectBody(body, contentLength == null ? -1 : contentLength);
        } catch (NoSuchKeyException e) {
            throw new PayloadNotFoundException(ref);
        } catch (S3Exception e) {
            if (e.statusCode() == NOT_FOUND) {
                throw new PayloadNotFoundException(ref);
            }
            if (e.statusCode() == RANGE_NOT_SATISFIABLE) {
                // The object exists (a missing one answers 404) and ends at or before offset.
                return InputStream.nullInputStream();
            }
            throw failure("could not read payload " + ref, e);
        } catch (SdkException e) {
            throw failure("could not read payload " + ref, e);
        }
    }

    @Override
    public long compressedSize(String ref) throws IOException {
        HeadObjectResponse head;
        try {
            head = head(keyOf(ref));
        } catch (SdkException e) {
            throw failure("could not look up payload " + ref, e);
        }
        if (head == null) {
            throw new PayloadNotFoundException(ref);
        }
        return head.contentLength();
    }

    @Override
    public boolean exists(String ref) {
        try {
            return head(keyOf(ref)) != null;
        } catch (SdkException e) {
            throw new UncheckedIOException(failure("could not look up payload " + ref, e));
        }
    }

    @Override
    public void checkAvailable() throws IOException {
        try {
            client.headBucket(head -> head.bucket(bucket));
        } catch (SdkException e) {
            throw failure("the payload bucket does not answer", e);
        }
    }

    /** Closes the S3 client and its connections. */
    @Override
    public void close() {
        client.close();
    }

    /** The object's metadata, or null when there is no such object. */
    private HeadObjectResponse head(String key) {
        try {
            return client.headObject(head -> head.bucket(bucket).key(key));
        } catch (NoSuchKeyException e) {
            return null;
        } catch (S3Exception e) {
            if (e.statusCode() == NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    /** The object key of {@code ref}; the reference check keeps keys to {@code <prefix><64 hex>.json.gz}. */
    String keyOf(String ref) {
        return prefix + PayloadRefs.hex(ref) + SUFFIX;
    }

    /** An IOException that names the bucket and the S3 error (the SDK's messages carry no credentials). */
    private IOException failure(String what, SdkException e) {
        return new IOException(what + " in bucket " + bucket + ": " + e.getMessage(), e);
    }

    /**
     * An object's body that aborts its HTTP connection when closed before its end: closing it normally would read
     * (and throw away) the rest of the object to keep the connection.
     */
    private static final class ObjectBody extends FilterInputStream {

        private final ResponseInputStream<GetObjectResponse> body;
        private final long length;
        private long read;

        ObjectBody(ResponseInputStream<GetObjectResponse> body, long length) {
            super(body);
            this.body = body;
            this.length = length;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                read++;
            }
            return b;
        }

        @Override
        public int read(byte[] bytes, int offset, int count) throws IOException {
            int n = in.read(bytes, offset, count);
            if (n > 0) {
                read += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = in.skip(n);
            read += skipped;
            return skipped;
        }

        @Override
        public void close() throws IOException {
            if (length < 0 || read < length) {
                body.abort();
            }
            in.close();
        }
    }
}
