package summarize

// Validators are the HTTP cache validators of a fetched document: sent
// back on the next fetch (If-None-Match, If-Modified-Since) so that an
// unchanged document costs a 304 and no parse.
type Validators struct {
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// Update returns v with the validators a 304 answer repeated or renewed:
// a server may send a new ETag with a 304, or none at all.
func (v Validators) Update(from304 Validators) Validators {
	if from304.ETag != "" {
		v.ETag = from304.ETag
	}
	if from304.LastModified != "" {
		v.LastModified = from304.LastModified
	}
	return v
}
