#include "persistence/s3_xml.hpp"

#include <gtest/gtest.h>

namespace gw::persistence {
namespace {

TEST(ParseS3Error, ReadsCodeAndMessage) {
  const auto error = ParseS3Error(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request "
      "signature we calculated does not match &amp; so on</Message><Resource>/b/k</Resource>"
      "<RequestId>4442587FB7D0A2F9</RequestId></Error>");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, "SignatureDoesNotMatch");
  EXPECT_EQ(error->message, "The request signature we calculated does not match & so on");
}

TEST(ParseS3Error, MissingElementsAreEmpty) {
  const auto error = ParseS3Error("<Error><Code>SlowDown</Code></Error>");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, "SlowDown");
  EXPECT_EQ(error->message, "");
}

TEST(ParseS3Error, AnythingButAnErrorDocumentIsNone) {
  for (const char* body : {"", "{\"error\":{\"reason\":\"x\"}}", "<html><body>502 Bad Gateway</body></html>",
                           "<Error><Code>unclosed", "<InitiateMultipartUploadResult/>", "not xml at all"}) {
    EXPECT_FALSE(ParseS3Error(body)) << body;
  }
}

TEST(ParseS3Error, NeverResolvesExternalEntities) {
  const auto error = ParseS3Error(
      "<?xml version=\"1.0\"?><!DOCTYPE Error [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
      "<Error><Code>C&x;</Code></Error>");
  if (error) {
    EXPECT_EQ(error->code.find("root:"), std::string::npos) << error->code;
  }
}

TEST(ParseUploadId, ReadsItFromANamespacedResult) {
  const auto id = ParseUploadId(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><InitiateMultipartUploadResult "
      "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>b</Bucket><Key>k</Key>"
      "<UploadId>VXBsb2FkIElE+/=</UploadId></InitiateMultipartUploadResult>");
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, "VXBsb2FkIElE+/=");
}

TEST(ParseUploadId, MissingOrEmptyIsNone) {
  EXPECT_FALSE(ParseUploadId("<InitiateMultipartUploadResult><Key>k</Key></InitiateMultipartUploadResult>"));
  EXPECT_FALSE(ParseUploadId("<InitiateMultipartUploadResult><UploadId></UploadId></InitiateMultipartUploadResult>"));
  EXPECT_FALSE(ParseUploadId("<Error><UploadId>x</UploadId></Error>"));
}

TEST(CompleteMultipartXml, ListsThePartsInOrderWithTheirQuotedETags) {
  const std::string xml = CompleteMultipartXml({{1, "\"a1\""}, {2, "\"b2\""}});
  EXPECT_EQ(xml,
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Part><PartNumber>1</PartNumber><ETag>&quot;a1&quot;</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>&quot;b2&quot;</ETag></Part>"
            "</CompleteMultipartUpload>");
  const auto top = ParseXmlTop(xml);
  ASSERT_TRUE(top);
  EXPECT_EQ(top->root, "CompleteMultipartUpload");
  EXPECT_EQ(top->children.size(), 2u);
}

TEST(XmlEscape, EscapesMarkupCharacters) {
  EXPECT_EQ(XmlEscape("<a & 'b' \"c\">"), "&lt;a &amp; &apos;b&apos; &quot;c&quot;&gt;");
}

TEST(ParseXmlTop, ReadsDirectChildrenOnly) {
  const auto top = ParseXmlTop("<R><A>1</A><B><C>2</C></B><A>3</A></R>");
  ASSERT_TRUE(top);
  EXPECT_EQ(top->root, "R");
  ASSERT_EQ(top->children.size(), 3u);
  EXPECT_EQ(*top->Child("A"), "1");
  EXPECT_EQ(*top->Child("B"), "2");
  EXPECT_EQ(top->Child("C"), nullptr);
}

}  // namespace
}  // namespace gw::persistence
