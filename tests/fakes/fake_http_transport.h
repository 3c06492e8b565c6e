// FakeHttpTransport: an HttpTransport that answers from a script and records every request, for
// unit tests of HttpApiClient. Queue answers with Respond()/RespondStream(); an unscripted request
// gets Unavailable. Streams deliver the given chunks exactly as split. Thread-safe.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "operator/kube/http_transport.h"

namespace lifeboat::testing {

class FakeHttpStream final : public kube::HttpStream {
 public:
  FakeHttpStream(kube::HttpResponse head, std::vector<std::string> chunks, Status end)
      : head_(std::move(head)), chunks_(chunks.begin(), chunks.end()), end_(std::move(end)) {}
  const kube::HttpResponse& Head() const override { return head_; }
  StatusOr<std::string> ReadChunk() override {
    std::lock_guard lock(mutex_);
    if (cancelled_) return CancelledError("stream cancelled");
    if (!chunks_.empty()) {
      std::string chunk = std::move(chunks_.front());
      chunks_.pop_front();
      return chunk;
    }
    if (!end_.ok()) return end_;
    return std::string();
  }
  void Cancel() override {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
  }

 private:
  kube::HttpResponse head_;
  std::mutex mutex_;
  std::deque<std::string> chunks_;
  Status end_;
  bool cancelled_ = false;
};

class FakeHttpTransport final : public kube::HttpTransport {
 public:
  // Queues a whole answer.
  void Respond(int status, std::string body, std::vector<std::pair<std::string, std::string>> headers = {}) {
    std::lock_guard lock(mutex_);
    Scripted s;
    s.response.status = status;
    s.response.body = std::move(body);
    s.response.headers = std::move(headers);
    script_.push_back(std::move(s));
  }
  // Queues a transport failure (connection refused, timeout).
  void Fail(Status status) {
    std::lock_guard lock(mutex_);
    Scripted s;
    s.failure = std::move(status);
    script_.push_back(std::move(s));
  }
  // Queues a streamed answer: status 200 and these body chunks, then `end` (Ok = clean end).
  void RespondStream(std::vector<std::string> chunks, Status end = Status::Ok(), int status = 200,
                     std::string error_body = "") {
    std::lock_guard lock(mutex_);
    Scripted s;
    s.response.status = status;
    s.response.body = std::move(error_body);
    s.chunks = std::move(chunks);
    s.stream_end = std::move(end);
    script_.push_back(std::move(s));
  }

  std::vector<kube::HttpRequest> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

  StatusOr<kube::HttpResponse> Send(const kube::HttpRequest& request) override {
    auto next = Next(request);
    if (!next.ok()) return next.status();
    if (!next->failure.ok()) return next->failure;
    return next->response;
  }

  StatusOr<std::unique_ptr<kube::HttpStream>> OpenStream(const kube::HttpRequest& request) override {
    auto next = Next(request);
    if (!next.ok()) return next.status();
    if (!next->failure.ok()) return next->failure;
    return std::unique_ptr<kube::HttpStream>(
        new FakeHttpStream(next->response, std::move(next->chunks), next->stream_end));
  }

 private:
  struct Scripted {
    kube::HttpResponse response;
    Status failure;
    std::vector<std::string> chunks;
    Status stream_end;
  };

  StatusOr<Scripted> Next(const kube::HttpRequest& request) {
    std::lock_guard lock(mutex_);
    requests_.push_back(request);
    if (script_.empty()) return UnavailableError("FakeHttpTransport: no scripted answer for " + request.method + " " +
                                                 request.path_and_query);
    Scripted next = std::move(script_.front());
    script_.pop_front();
    return next;
  }

  mutable std::mutex mutex_;
  std::deque<Scripted> script_;
  std::vector<kube::HttpRequest> requests_;
};

}  // namespace lifeboat::testing
