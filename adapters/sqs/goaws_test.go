package sqs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/Admiral-Piett/goaws/app/conf"
	"github.com/Admiral-Piett/goaws/app/gosqs"
	"github.com/Admiral-Piett/goaws/app/router"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/schemas"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
	"github.com/sirupsen/logrus"

	"github.com/photosync/photosync/domain"
)

// goaws is a local SQS server: Admiral-Piett/goaws, the module's go tool,
// run in this process because its command listens on every interface
// while the tests listen on 127.0.0.1 only. It keeps its queues in
// package variables, so one serves the whole test binary.
type goaws struct {
	url   string
	queue int // numbers the queues the tests create
	mu    sync.Mutex
}

var (
	goawsOnce   sync.Once
	goawsServer *goaws
	goawsErr    error
)

// startGoaws starts the test binary's goaws once, configured from a YAML
// file in goaws's own format, its queue URLs on 127.0.0.1.
func startGoaws(t *testing.T) *goaws {
	t.Helper()
	goawsOnce.Do(func() {
		logrus.SetOutput(io.Discard)
		srv := httptest.NewUnstartedServer(router.New())
		_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
		dir, err := os.MkdirTemp("", "goaws")
		if err != nil {
			goawsErr = err
			return
		}
		defer os.RemoveAll(dir)
		cfg := filepath.Join(dir, "goaws.yaml")
		yaml := fmt.Sprintf(`Local:
  Host: 127.0.0.1
  Port: %s
  Region: ""
  AccountId: "100010001000"
  LogToFile: false
  QueueAttributeDefaults:
    VisibilityTimeout: 30
    ReceiveMessageWaitTimeSeconds: 0
    MaximumMessageSize: 262144
`, port)
		if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
			goawsErr = err
			return
		}
		if ports := conf.LoadYamlConfig(cfg, "Local"); len(ports) != 1 || ports[0] != port {
			goawsErr = fmt.Errorf("goaws read the port %v from its configuration, want %s", ports, port)
			return
		}
		srv.Start()
		go gosqs.PeriodicTasks(time.Second, make(chan struct{})) // visibility timeouts
		goawsServer = &goaws{url: srv.URL}
	})
	if goawsErr != nil {
		t.Fatal(goawsErr)
	}
	return goawsServer
}

// client returns an SDK v2 client of goaws. goaws speaks only SQS's query
// protocol (form-encoded requests, XML answers), which SQS still accepts
// beside the JSON protocol that the SDK uses by default; the SDK takes
// either as an option, and the same adapter code runs on both.
func (g *goaws) client() *awssqs.Client {
	return awssqs.New(awssqs.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(g.url),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	}, func(o *awssqs.Options) { o.Protocol = awsquery.New(schemas.AmazonSQS) })
}

// newQueue creates an empty queue and returns its URL.
func (g *goaws) newQueue(t *testing.T) string {
	t.Helper()
	g.mu.Lock()
	g.queue++
	name := "photosync-sync-" + strconv.Itoa(g.queue)
	g.mu.Unlock()
	out, err := g.client().CreateQueue(context.Background(), &awssqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatalf("create the queue %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

// received is one message as a worker receives it.
type received struct {
	body       string
	attributes map[string]string
}

// receiveAll receives and deletes every message the queue holds now.
func (g *goaws) receiveAll(t *testing.T, url string) []received {
	t.Helper()
	ctx := context.Background()
	c := g.client()
	var got []received
	for empty := 0; ; {
		out, err := c.ReceiveMessage(ctx, &awssqs.ReceiveMessageInput{
			QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 0,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		})
		if err != nil {
			t.Fatalf("receive: %v", err)
		}
		if len(out.Messages) == 0 {
			// goaws may answer an empty receive while messages wait
			// (seen once in CI: 13 of 23 received): ask the queue how many
			// are visible before calling it empty.
			attrs, err := c.GetQueueAttributes(ctx, &awssqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
				AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages}})
			if err != nil {
				t.Fatalf("queue attributes: %v", err)
			}
			if n := attrs.Attributes[string(types.QueueAttributeNameApproximateNumberOfMessages)]; n == "" || n == "0" {
				return got
			} else if empty++; empty > 100 {
				t.Fatalf("the queue says %s messages wait but gives none", n)
			}
			continue
		}
		for _, m := range out.Messages {
			got = append(got, received{body: aws.ToString(m.Body), attributes: m.Attributes})
			if _, err := c.DeleteMessage(ctx, &awssqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatalf("delete: %v", err)
			}
		}
	}
}

// requests decodes received bodies as a worker does.
func requests(t *testing.T, msgs []received) []domain.SyncRequest {
	t.Helper()
	var out []domain.SyncRequest
	for _, m := range msgs {
		var b struct {
			Account     int64     `json:"account"`
			RequestedAt time.Time `json:"requested_at"`
		}
		if err := json.Unmarshal([]byte(m.body), &b); err != nil || b.Account == 0 {
			t.Fatalf("body %q: %v", m.body, err)
		}
		out = append(out, domain.SyncRequest{AccountID: b.Account, RequestedAt: b.RequestedAt})
	}
	return out
}

// closedURL returns an address where nothing listens.
func closedURL(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	return srv.URL
}
