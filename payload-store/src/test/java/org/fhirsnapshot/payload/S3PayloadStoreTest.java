package org.fhirsnapshot.payload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The contract against a real S3 API (S3Proxy in a child JVM), plus what is particular to an object store. */
class S3PayloadStoreTest extends PayloadStoreContract {

    private static S3ProxyFixture server;
    private static String bucket;

    @TempDir
    Path spool;

    private String prefix;
    private S3PayloadStore store;

    @BeforeAll
    static void startServer() {
        server = S3ProxyFixture.shared();
        bucket = server.createBucket();
    }

    @BeforeEach
    void createStore() {
        prefix = "test-" + UUID.randomUUID() + "/";
        store = S3PayloadStore.connect(server.settings(bucket, prefix, spool,
                S3StoreSettings.DEFAULT_MULTIPART_THRESHOLD, S3StoreSettings.DEFAULT_PART_SIZE));
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Override
    PayloadStore store() {
        return store;
    }

    @Override
    List<String> storedObjects() {
        return client().listObjectsV2Paginator(list -> list.bucket(bucket).prefix(prefix)).contents().stream()
                .map(S3Object::key).toList();
    }

    @Override
    List<String> spoolFiles() throws IOException {
        try (Stream<Path> files = Files.list(spool)) {
            return files.map(Path::toString).toList();
        }
    }

    @Override
    void overwriteStoredBytes(String ref, byte[] bytes) {
        client().putObject(put -> put.bucket(bucket).key(store.keyOf(ref)), RequestBody.fromBytes(bytes));
    }

    @Test
    void anObjectIsAnOpaqueGzipBlobUnderThePrefixAndDigest() throws Exception {
        byte[] json = GeneratedPayload.bytes(10_000, 17);

        StoredPayload stored = store.write(new ByteArrayInputStream(json));

        String key = prefix + stored.sha256() + ".json.gz";
        assertThat(storedObjects()).containsExactly(key);
        HeadObjectResponse head = client().headObject(h -> h.bucket(bucket).key(key));
        assertThat(head.contentType()).isEqualTo("application/gzip");
        assertThat(head.contentEncoding()).isNull();
        assertThat(head.contentLength()).isEqualTo(stored.compressedSize());
    }

    @Test
    void theObjectHoldsTheSameGzipBytesAsTheFileSystemStoreWrites(@TempDir Path directory) throws Exception {
        byte[] json = GeneratedPayload.bytes(250_000, 19);
        FileSystemPayloadStore files = new FileSystemPayloadStore(directory);

        StoredPayload inBucket = store.write(new ByteArrayInputStream(json));
        StoredPayload onDisk = files.write(new ByteArrayInputStream(json));

        assertThat(inBucket).isEqualTo(onDisk);
        try (InputStream s3 = store.openCompressed(inBucket.ref());
                InputStream disk = files.openCompressed(onDisk.ref())) {
            assertThat(s3.readAllBytes()).isEqualTo(disk.readAllBytes());
        }
    }

    @Test
    void aPayloadAboveTheMultipartThresholdIsUploadedInPartsAndReadsBackWhole() throws Exception {
        long partSize = S3StoreSettings.MIN_PART_SIZE;
        try (S3PayloadStore multipart = S3PayloadStore.connect(server.settings(bucket, prefix, spool, partSize,
                partSize))) {
            long length = 16L * 1024 * 1024;
            MessageDigest written = MessageDigest.getInstance("SHA-256");
            StoredPayload stored;
            try (InputStream payload = new DigestInputStream(new GeneratedPayload(length, 23), written)) {
                stored = multipart.write(payload);
            }

            assertThat(stored.compressedSize()).isGreaterThan(2 * partSize);
            String key = prefix + stored.sha256() + ".json.gz";
            // A multipart object's ETag is "<md5 of the parts' md5s>-<number of parts>".
            assertThat(client().headObject(h -> h.bucket(bucket).key(key)).eTag()).endsWith("-3\"");
            assertThat(multipart.compressedSize(stored.ref())).isEqualTo(stored.compressedSize());
            MessageDigest read = MessageDigest.getInstance("SHA-256");
            try (InputStream in = new DigestInputStream(multipart.open(stored.ref()), read)) {
                assertThat(in.transferTo(java.io.OutputStream.nullOutputStream())).isEqualTo(length);
            }
            assertThat(HexFormat.of().formatHex(read.digest())).isEqualTo(HexFormat.of().formatHex(written.digest()));
            assertThat(client().listMultipartUploads(l -> l.bucket(bucket).prefix(prefix)).uploads()).isEmpty();
            assertThat(spoolFiles()).isEmpty();
        }
    }

    @Test
    void aBucketThatDoesNotExistMakesTheStoreUnavailable() {
        try (S3PayloadStore missing = S3PayloadStore.connect(server.settings("no-such-bucket-" + UUID.randomUUID()
                .toString().substring(0, 8), "", spool, S3StoreSettings.DEFAULT_MULTIPART_THRESHOLD,
                S3StoreSettings.DEFAULT_PART_SIZE))) {
            assertThatThrownBy(missing::checkAvailable).isInstanceOf(IOException.class)
                    .hasMessageContaining("bucket");
        }
    }

    @Test
    void settingsNeverShowTheSecretKey() {
        S3StoreSettings settings = server.settings(bucket, prefix, spool, S3StoreSettings.DEFAULT_MULTIPART_THRESHOLD,
                S3StoreSettings.DEFAULT_PART_SIZE);

        assertThat(settings.toString()).doesNotContain(S3ProxyFixture.SECRET_ACCESS_KEY).contains(bucket);
    }

    private static S3Client client() {
        return server.client();
    }
}
