import FleetS3
import FleetState
import Testing

@Suite struct S3ConfigurationTests {
    @Test func pathStyleKeepsTheBucketInThePath() {
        let configuration = S3Configuration(endpoint: "http://127.0.0.1:9000/", bucket: "b", accessKeyID: "k", secretAccessKey: "s")
        #expect(configuration.addressing == .path)
        let store = S3ObjectStore(configuration: configuration)
        let url = store.presignedURL(try! ObjectKey("avatars/1"), method: "GET") ?? ""
        #expect(url.hasPrefix("http://127.0.0.1:9000/b/avatars/1?X-Amz-Algorithm=AWS4-HMAC-SHA256&"))
    }

    @Test func virtualHostStylePutsTheBucketInTheHost() {
        let configuration = S3Configuration(endpoint: nil, bucket: "photos", region: "eu-west-1", accessKeyID: "k", secretAccessKey: "s")
        #expect(configuration.addressing == .virtualHost)
        let url = S3ObjectStore(configuration: configuration).presignedURL(try! ObjectKey("a/b.png"), method: "GET") ?? ""
        #expect(url.hasPrefix("https://photos.s3.eu-west-1.amazonaws.com/a/b.png?"))
        #expect(url.contains("%2Feu-west-1%2Fs3%2Faws4_request"))
    }
}
