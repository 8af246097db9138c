/// The few values read out of S3's XML answers (`UploadId`, `ETag`, `Code`, `Message`);
/// their documents are flat enough that the first element of a name is the one meant.
enum S3XML {
    static func value(of element: String, in document: String) -> String? {
        guard let open = document.firstRange(of: "<\(element)>"), let close = document[open.upperBound...].firstRange(of: "</\(element)>") else {
            return nil
        }
        return String(document[open.upperBound..<close.lowerBound])
    }

    static func escaped(_ text: String) -> String {
        text.replacing("&", with: "&amp;").replacing("\"", with: "&quot;").replacing("<", with: "&lt;").replacing(">", with: "&gt;")
    }

    static func unescaped(_ text: String) -> String {
        text.replacing("&quot;", with: "\"").replacing("&lt;", with: "<").replacing("&gt;", with: ">").replacing("&amp;", with: "&")
    }
}
