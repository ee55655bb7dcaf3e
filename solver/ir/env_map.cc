#include "solver/ir/env_map.h"

#include <algorithm>

namespace ir {

struct EnvMap::Node {
  EntryPtr kv;
  int height = 1;
  NodePtr left;
  NodePtr right;
};

namespace {

template <class P>
int height_of(const P& n) {
  return n ? n->height : 0;
}

}  // namespace

EnvMap::NodePtr EnvMap::make(EntryPtr kv, NodePtr left, NodePtr right) {
  int h = 1 + std::max(height_of(left), height_of(right));
  return std::make_shared<const Node>(Node{std::move(kv), h, std::move(left), std::move(right)});
}

// Rebuilds a node whose subtrees' heights differ by at most 2, restoring the
// AVL bound with one or two rotations. Nodes are shared, so rotating means
// making new ones.
EnvMap::NodePtr EnvMap::balance(EntryPtr kv, NodePtr left, NodePtr right) {
  int hl = height_of(left);
  int hr = height_of(right);
  if (hl > hr + 1) {
    if (height_of(left->left) >= height_of(left->right))
      return make(left->kv, left->left, make(std::move(kv), left->right, std::move(right)));
    const Node& lr = *left->right;
    return make(lr.kv, make(left->kv, left->left, lr.left), make(std::move(kv), lr.right, std::move(right)));
  }
  if (hr > hl + 1) {
    if (height_of(right->right) >= height_of(right->left))
      return make(right->kv, make(std::move(kv), std::move(left), right->left), right->right);
    const Node& rl = *right->left;
    return make(rl.kv, make(std::move(kv), std::move(left), rl.left), make(right->kv, rl.right, right->right));
  }
  return make(std::move(kv), std::move(left), std::move(right));
}

EnvMap::NodePtr EnvMap::insert(const NodePtr& tree, EntryPtr& entry, bool& added) {
  if (!tree) {
    added = true;
    return make(std::move(entry), nullptr, nullptr);
  }
  int c = entry->first.compare(tree->kv->first);
  if (c == 0) return make(std::move(entry), tree->left, tree->right);
  if (c < 0) return balance(tree->kv, insert(tree->left, entry, added), tree->right);
  return balance(tree->kv, tree->left, insert(tree->right, entry, added));
}

EnvMap::EnvMap(std::initializer_list<value_type> pairs) {
  for (const auto& [k, v] : pairs) set(k, v);
}

EnvMap::EnvMap(const std::vector<value_type>& pairs) {
  for (const auto& [k, v] : pairs) set(k, v);
}

void EnvMap::set(std::string name, std::string value) {
  bool added = false;
  EntryPtr entry = std::make_shared<const value_type>(std::move(name), std::move(value));
  m_root = insert(m_root, entry, added);
  if (added) ++m_size;
}

const std::string* EnvMap::find(std::string_view name) const {
  const Node* n = m_root.get();
  while (n) {
    int c = name.compare(n->kv->first);
    if (c == 0) return &n->kv->second;
    n = c < 0 ? n->left.get() : n->right.get();
  }
  return nullptr;
}

void EnvMap::const_iterator::descend_left(const Node* n) {
  for (; n; n = n->left.get()) m_path.push_back(n);
}

EnvMap::const_iterator::reference EnvMap::const_iterator::operator*() const { return *m_path.back()->kv; }

EnvMap::const_iterator& EnvMap::const_iterator::operator++() {
  const Node* n = m_path.back();
  m_path.pop_back();
  descend_left(n->right.get());
  return *this;
}

EnvMap::const_iterator EnvMap::begin() const {
  const_iterator it;
  it.descend_left(m_root.get());
  return it;
}

std::vector<EnvMap::value_type> EnvMap::to_vector() const { return {begin(), end()}; }

bool operator==(const EnvMap& a, const EnvMap& b) {
  if (a.m_size != b.m_size) return false;
  if (a.m_root == b.m_root) return true;
  return std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace ir
