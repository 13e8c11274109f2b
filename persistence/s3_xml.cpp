#include "persistence/s3_xml.hpp"

#include <Poco/AutoPtr.h>
#include <Poco/DOM/DOMParser.h>
#include <Poco/DOM/Document.h>
#include <Poco/DOM/Element.h>
#include <Poco/DOM/Node.h>
#include <Poco/Exception.h>
#include <Poco/SAX/XMLReader.h>

namespace gw::persistence {

const std::string* XmlTop::Child(std::string_view name) const {
  for (const auto& [child, text] : children) {
    if (child == name) return &text;
  }
  return nullptr;
}

std::optional<XmlTop> ParseXmlTop(std::string_view body) {
  Poco::XML::DOMParser parser;
  // The body comes from the network: never let it make the parser open files or URLs.
  parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_GENERAL_ENTITIES, false);
  parser.setFeature(Poco::XML::XMLReader::FEATURE_EXTERNAL_PARAMETER_ENTITIES, false);
  Poco::AutoPtr<Poco::XML::Document> document;
  try {
    document = parser.parseMemory(body.data(), body.size());
  } catch (const Poco::Exception&) {
    return std::nullopt;
  }
  const Poco::XML::Element* root = document ? document->documentElement() : nullptr;
  if (root == nullptr) return std::nullopt;
  XmlTop top{root->localName(), {}};
  for (Poco::XML::Node* node = root->firstChild(); node != nullptr; node = node->nextSibling()) {
    if (node->nodeType() == Poco::XML::Node::ELEMENT_NODE)
      top.children.emplace_back(node->localName(), node->innerText());
  }
  return top;
}

std::optional<S3ErrorBody> ParseS3Error(std::string_view body) {
  const auto top = ParseXmlTop(body);
  if (!top || top->root != "Error") return std::nullopt;
  const std::string* code = top->Child("Code");
  const std::string* message = top->Child("Message");
  return S3ErrorBody{code ? *code : std::string(), message ? *message : std::string()};
}

std::optional<std::string> ParseUploadId(std::string_view body) {
  const auto top = ParseXmlTop(body);
  if (!top || top->root != "InitiateMultipartUploadResult") return std::nullopt;
  const std::string* id = top->Child("UploadId");
  if (id == nullptr || id->empty()) return std::nullopt;
  return *id;
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string CompleteMultipartXml(const std::vector<CompletedPart>& parts) {
  std::string xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (const auto& part : parts) {
    xml += "<Part><PartNumber>" + std::to_string(part.number) + "</PartNumber><ETag>" + XmlEscape(part.etag) +
           "</ETag></Part>";
  }
  xml += "</CompleteMultipartUpload>";
  return xml;
}

}  // namespace gw::persistence
